#!/usr/bin/env bash
# Runs every Drawbridge test: builds the solution once, then each test project in turn,
# and prints "N passed, N failed, N skipped" at the end.
#
#   ./test.sh                               all tests
#   ./test.sh "FullyQualifiedName~Mux"      only tests matching a `dotnet test --filter`
#
# On a fresh Debian machine, run as root, it first installs the programs the end-to-end
# tests start (sshd, redis, iperf3, tinyproxy, chromium, node, PostgreSQL, ...) and the Node.js test
# servers' npm packages. Results: artifacts/test-results/*.trx.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
readonly repo_root="$PWD"
readonly results_dir="$repo_root/artifacts/test-results"
readonly test_projects=(
  tests/Drawbridge.Protocol.Tests
  tests/Drawbridge.Tests
  tests/Drawbridge.EndToEnd.Tests
)
readonly filter="${1:-}"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# sshd and friends live in /usr/sbin, which a non-login shell may not have on PATH.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

# 1. The external programs the tests run, as "apt package:command it provides". A command
# given as an absolute path (a glob) is one the package installs off PATH: the store contract
# tests start their own PostgreSQL cluster with /usr/lib/postgresql/VERSION/bin/initdb.
readonly required=(
  openssh-server:sshd
  openssh-client:ssh
  openssh-client:ssh-keygen
  redis-server:redis-server
  redis-tools:redis-cli
  iperf3:iperf3
  tinyproxy:tinyproxy
  stunnel4:stunnel
  socat:socat
  procps:pkill
  chromium:chromium
  libnss3-tools:certutil
  nodejs:node
  nodejs:npm
  postgresql:/usr/lib/postgresql/*/bin/initdb
)

# The Node.js servers the identity end-to-end tests start, each with a committed package-lock.json.
readonly node_servers=(
  tests/oidc-provider
  tests/smtp-server
)

# True when a required program is there: on PATH, or, for an absolute path (a glob), on disk.
is_installed() {
  local program="$1"
  if [[ $program == /* ]]; then
    compgen -G "$program" >/dev/null
  else
    command -v "$program" >/dev/null 2>&1
  fi
}

install_missing_packages() {
  local missing=() entry package
  for entry in "${required[@]}"; do
    package="${entry%%:*}"
    if ! is_installed "${entry#*:}" && [[ " ${missing[*]} " != *" $package "* ]]; then
      missing+=("$package")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi

  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: missing programs the end-to-end tests need. Install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi

  echo "test.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Installs each Node.js test server's packages with `npm ci`: when node_modules is missing,
# or older than package-lock.json (the lock changed since). oidc-provider 9 needs Node.js
# 20.12 or later (it calls crypto.hash); Debian 12's own nodejs is 18.
install_node_servers() {
  local directory
  if ! node -e 'const [major, minor] = process.versions.node.split(".").map(Number); process.exit(major > 20 || (major === 20 && minor >= 12) ? 0 : 1)'; then
    echo "test.sh: the end-to-end tests need Node.js 20.12 or later; node is $(node --version)." >&2
    exit 1
  fi
  for directory in "${node_servers[@]}"; do
    if [[ ! -e $directory/node_modules/.package-lock.json || $directory/package-lock.json -nt $directory/node_modules/.package-lock.json ]]; then
      echo "test.sh: npm ci in $directory"
      if ! (cd "$directory" && npm ci --no-audit --no-fund); then
        echo "test.sh: npm ci failed in $directory (errors above)." >&2
        exit 1
      fi
    fi
  done
}

# Prints the sum of one numeric attribute of the <Counters .../> element over all .trx files.
sum_counter() {
  local attribute="$1" total=0 value file
  for file in "$results_dir"/*.trx; do
    [[ -e $file ]] || continue
    value=$(grep -o '<Counters [^>]*>' "$file" | sed -n "s/.*[[:space:]]$attribute=\"\([0-9]*\)\".*/\1/p" | head -n 1)
    total=$((total + ${value:-0}))
  done
  echo "$total"
}

install_missing_packages
install_node_servers

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK is not installed (https://dot.net/download)." >&2
  exit 1
fi

# 2. Build everything once; the test runs below reuse it.
if ! dotnet build Drawbridge.slnx -c Release; then
  echo "test.sh: the build failed (errors above); no tests were run." >&2
  exit 1
fi

# 3. Run the projects one after another (the CI machine has 2 cores), carrying on after a
#    failure so every failing test is shown.
rm -rf "$results_dir"
mkdir -p "$results_dir"
failed_projects=()
for project in "${test_projects[@]}"; do
  name="$(basename "$project")"
  arguments=(
    test "$project" -c Release --no-build
    --results-directory "$results_dir"
    --logger "trx;LogFileName=$name.trx"
    --logger "console;verbosity=normal"
  )
  if [[ -n $filter ]]; then
    arguments+=(--filter "$filter")
  fi
  echo "=== $name"
  if ! dotnet "${arguments[@]}"; then
    failed_projects+=("$name")
  fi
  if [[ ! -e "$results_dir/$name.trx" ]]; then
    echo "test.sh: $name produced no results file; its counts are missing from the summary." >&2
    [[ " ${failed_projects[*]} " == *" $name "* ]] || failed_projects+=("$name")
  fi
done

# The benchmark harness: bad arguments are refused before anything starts (exit 2, naming
# what was wrong), then quick mode, so it never rots (bench/README.md); not with a filter.
refuses() { # expected message, then the command
  local expected=$1 output status
  shift
  output=$(timeout 60 "$@" 2>&1) && status=0 || status=$?
  if ((status != 2)) || [[ $output != *"$expected"* ]]; then
    echo "test.sh: $* should fail with exit 2 and say '$expected'; it exited $status: $output" >&2
    return 1
  fi
}
bench_refuses() { refuses "$1" bench/run "${@:2}"; }
tlsrelay_refuses() { refuses "$1" dotnet "$repo_root/artifacts/bench/tlsrelay/tlsrelay.dll" "${@:2}"; }
if [[ -z $filter ]]; then
  { bench_refuses "unknown measure 'CPU'" --measures T1,CPU &&
    bench_refuses "unknown path 'stunel'" --paths ssh,stunel &&
    bench_refuses "--reps wants a positive number" --reps 0 &&
    bench_refuses "--streams wants a positive number" --streams -5 &&
    bench_refuses "--drawbridge-build wants jit or aot" --drawbridge-build native &&
    bench_refuses "--access-flag wants a flag" --access-flag 'x;rm' &&
    bench_refuses "unknown argument '--bogus'" --bogus; } || failed_projects+=("bench/run arguments")
  bench/run --quick | tee "$results_dir/bench-quick.md" || failed_projects+=("bench/run --quick")
  # dotnet-2tls's relay (built by the quick run) refuses what it cannot relay, naming it.
  cert="$(mktemp -d)/cert.pem"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
    -keyout "${cert%.pem}.key" -out "$cert" 2>/dev/null
  { tlsrelay_refuses "usage: tlsrelay" &&
    tlsrelay_refuses "usage: tlsrelay" client "$cert" &&
    tlsrelay_refuses "usage: tlsrelay" proxy "$cert" 127.0.0.1:1=127.0.0.1:2 &&
    tlsrelay_refuses "'127.0.0.1:1' is not ACCEPT=CONNECT" client "$cert" 127.0.0.1:1 &&
    tlsrelay_refuses "is not ACCEPT=CONNECT" client "$cert" 127.0.0.1:1=127.0.0.1:2=127.0.0.1:3 &&
    tlsrelay_refuses "'127.0.0.1:99999' is not an IP address and port" client "$cert" 127.0.0.1:99999=127.0.0.1:2 &&
    tlsrelay_refuses "'127.0.0.1:0' is not an IP address and port" client "$cert" 127.0.0.1:1=127.0.0.1:0 &&
    tlsrelay_refuses "xxxx…' is not an IP address and port" client "$cert" "$(printf 'x%.0s' {1..5000}):1=127.0.0.1:2" &&
    tlsrelay_refuses "cannot load the certificate /nonexistent/cert.pem" client /nonexistent/cert.pem 127.0.0.1:1=127.0.0.1:2 &&
    tlsrelay_refuses "cannot load the certificate ${cert%.pem}.key" client "${cert%.pem}.key" 127.0.0.1:1=127.0.0.1:2 &&
    tlsrelay_refuses "cannot load the certificate $cert with $cert" server "$cert" "$cert" 127.0.0.1:1=127.0.0.1:2; } || failed_projects+=("bench/TlsRelay arguments")
  rm -r "$(dirname "$cert")"
fi

# 4. One summary over all projects. TRX counts errored, timed-out and aborted tests apart
#    from failed ones; they are all failures here. A skipped test is in "total" but not in
#    "executed" (VSTest leaves "notExecuted" at 0 for xunit's skips).
executed=$(sum_counter executed)
passed=$(sum_counter passed)
failed=$(($(sum_counter failed) + $(sum_counter error) + $(sum_counter timeout) + $(sum_counter aborted)))
skipped=$(($(sum_counter total) - executed))

echo
if ((${#failed_projects[@]} > 0)); then
  echo "Failing test projects: ${failed_projects[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"

if ((executed == 0)); then
  echo "test.sh: no test was executed${filter:+ (filter: $filter)}." >&2
  exit 1
fi
if ((${#failed_projects[@]} > 0 || failed > 0)); then
  exit 1
fi
