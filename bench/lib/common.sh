# Shared by bench/run: logging, the processes we start and their cleanup, ports, readiness,
# installation and build. Sourced, not run.

failures=()          # what went wrong, one line each; non-empty makes bench/run fail
declare -A failed_paths=()  # path -> why it is unusable
declare -A started=()       # pid -> its start time, for every background process we started
keep_work=0

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

fail() {
  failures+=("$1")
  log "FAILED: $1"
}

path_failed() {
  failed_paths[$1]="$2"
  fail "path $1 did not come up: $2"
}

path_ok() { [[ -z ${failed_paths[$1]:-} ]]; }

# Starts "$@" in the background with its output in logs/NAME.log; sets $last_pid.
start_bg() {
  local name="$1"
  shift
  "$@" </dev/null >>"$work/logs/$name.log" 2>&1 &
  last_pid=$!
  started[$last_pid]="$(start_time "$last_pid")"
  echo "$last_pid $name" >>"$work/logs/pids"
}

# When PID started (/proc/PID/stat field 22): with the PID it names one process, even after
# the PID is reused by another.
start_time() {
  local stat fields
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
  read -r -a fields <<<"${stat##*) }"
  echo "${fields[19]}"
}

# PID and all its live descendants (sshd forks a process per connection).
with_descendants() {
  ps -e -o pid=,ppid= | awk -v roots="$*" '
    { parent[$1] = $2; pids[NR] = $1 }
    END {
      n = split(roots, r, " ")
      for (i = 1; i <= n; i++) keep[r[i]] = 1
      do {
        added = 0
        for (j in pids) { p = pids[j]; if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; added = 1 } }
      } while (added)
      for (p in keep) print p
    }'
}

# User+system CPU ticks (1/CLK_TCK s) used so far by the given PIDs and their live
# descendants, all threads included (/proc/PID/stat fields 14 and 15, proc(5)).
cpu_ticks() {
  local pid total=0 stat fields
  for pid in $(with_descendants "$@"); do
    stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
    read -r -a fields <<<"${stat##*) }"   # the name may contain spaces; field 3 onwards
    total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}
clk_tck="$(getconf CLK_TCK)"

cleanup() {
  local status=$? pid pids
  trap - EXIT INT TERM HUP
  # Only processes that are still the ones we started; descendants are ours by definition.
  # Collect descendants first: once a parent is gone they are re-parented and lost to us.
  local roots=()
  for pid in "${!started[@]}"; do
    [[ -n ${started[$pid]} && $(start_time "$pid") == "${started[$pid]}" ]] && roots+=("$pid")
  done
  if ((${#roots[@]} > 0)); then
    pids="$(with_descendants "${roots[@]}")"
    for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 30); do   # up to 3 s for graceful exits
      local alive=0
      for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive=1; done
      ((alive)) || break
      sleep 0.1
    done
    for pid in $pids; do kill -KILL "$pid" 2>/dev/null || true; done
  fi
  wait 2>/dev/null || true
  if ((status != 0)); then keep_work=1; fi
  if ((keep || keep_work)); then
    log "work directory kept: $work"
  else
    rm -rf "$work"
  fi
  exit "$status"
}

# Waits until "$@" succeeds, checking every 0.1 s for at most TIMEOUT seconds, and gives up
# early when WATCH_PID (0 for none) has exited. Returns non-zero on timeout or death.
wait_until() {
  local what="$1" timeout="$2" watch_pid="$3"
  shift 3
  local deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ((watch_pid != 0)) && ! kill -0 "$watch_pid" 2>/dev/null; then
      local name
      name="$(awk -v p="$watch_pid" '$1 == p { print $2 }' "$work/logs/pids")"
      start_error="$what: the process exited; the end of logs/$name.log: $(tail -n 3 "$work/logs/$name.log" | tr '\n' ' ')"
      return 1
    fi
    sleep 0.1
  done
  start_error="$what: not ready after ${timeout}s"
  return 1
}

tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
redis_pong() { [[ $(timeout 5 redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null) == PONG ]]; }
iperf_answers() { timeout 10 iperf3 -c 127.0.0.1 -p "$1" -n 64K >/dev/null 2>&1; }

# Sets the variable named $1 to a free port below the ephemeral range (32768+), so that no
# outgoing connection can be holding it. Not `$(...)`: the counter must survive the call.
next_port=$((20000 + RANDOM % 10000))
alloc_port() {
  local tries
  for ((tries = 0; tries < 500; tries++)); do
    next_port=$((next_port + 1))
    ((next_port < 32000)) || next_port=20000
    if [[ -z $(ss -Htan "( sport = :$next_port )" 2>/dev/null) ]]; then
      printf -v "$1" '%s' "$next_port"
      return 0
    fi
  done
  echo "bench/run: no free port found" >&2
  exit 1
}

# As "apt package:command".
readonly required_programs=(
  iperf3:iperf3
  openssh-server:sshd
  openssh-client:ssh
  openssh-client:ssh-keygen
  stunnel4:stunnel
  redis-server:redis-server
  redis-tools:redis-cli
  redis-tools:redis-benchmark
  procps:ps
  openssl:openssl
  iproute2:ss
  curl:curl
)

# What a NativeAOT publish (--drawbridge-build aot) links with: clang drives the linker, and the
# runtime links zlib. An absolute path is a file the package installs, not a command.
readonly aot_programs=(
  clang:clang
  zlib1g-dev:/usr/include/zlib.h
)

is_installed() {
  if [[ $1 == /* ]]; then [[ -e $1 ]]; else command -v "$1" >/dev/null 2>&1; fi
}

install_missing_packages() {
  local missing=() entry package entries=("${required_programs[@]}")
  [[ $drawbridge_build == aot ]] && entries+=("${aot_programs[@]}")
  for entry in "${entries[@]}"; do
    package="${entry%%:*}"
    if ! is_installed "${entry#*:}" && [[ " ${missing[*]} " != *" $package "* ]]; then
      missing+=("$package")
    fi
  done
  ((${#missing[@]} == 0)) && return 0
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    echo "bench/run: missing programs; install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  # Debian starts the services it installs; the harness runs its own instances.
  for service in ssh redis-server stunnel4; do
    if command -v systemctl >/dev/null 2>&1; then systemctl disable --now "$service" >/dev/null 2>&1 || true; fi
  done
}

# True when a process above us already holds the build lock (e.g. this run was started as
# `flock /tmp/drawbridge-build.lock bench/run`); taking it again would wait for ourselves.
build_lock_held_above() {
  local pid=$$ cmdline stat ppid
  while ((pid > 1)); do
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
    [[ $cmdline == *flock*drawbridge-build.lock* ]] && return 0
    stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
    read -r _ ppid _ <<<"${stat##*) }"   # state, then the parent's pid
    pid="$ppid"
  done
  return 1
}

# Newer sources than OUTPUT under any of the given directories? Build output (bin/, obj/) is
# not source: a restore for the other build (with or without a runtime identifier) rewrites
# obj/*.nuget.g.props, and would otherwise make the JIT and NativeAOT builds stale in turn.
stale() {
  local output="$1"
  shift
  [[ ! -f $output ]] || [[ -n $(find "$@" \( -name bin -o -name obj \) -prune -o \
    \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -newer "$output" -print -quit) ]]
}

# The product and the harness's own tools (S10k, and dotnet-2tls's TLS relay), built (Release)
# into artifacts/bench/ so that nobody's `./drawbridge` or test build replaces the binaries
# under a running benchmark. drawbridge is either the JIT build run by the dotnet host, or a
# NativeAOT executable (--drawbridge-build).
readonly drawbridge_out="$repo_root/artifacts/bench/drawbridge"
readonly drawbridge_aot_out="$repo_root/artifacts/bench/drawbridge-aot"
readonly s10k_out="$repo_root/artifacts/bench/s10k"
readonly tlsrelay_out="$repo_root/artifacts/bench/tlsrelay"
readonly drawbridge_dll="$drawbridge_out/drawbridge.dll"
readonly drawbridge_aot_exe="$drawbridge_aot_out/drawbridge"
readonly s10k_dll="$s10k_out/s10k.dll"
readonly tlsrelay_dll="$tlsrelay_out/tlsrelay.dll"
drawbridge_cmd=()   # how paths.sh runs drawbridge; set by build_binaries

# The runtime identifier of this machine, for the NativeAOT publish.
native_rid() {
  case "$(uname -m)" in
    x86_64) echo linux-x64 ;;
    aarch64) echo linux-arm64 ;;
    *) echo "bench/run: no NativeAOT build for $(uname -m); use --drawbridge-build jit" >&2; exit 2 ;;
  esac
}

build_binaries() {
  command -v dotnet >/dev/null 2>&1 || { echo "bench/run: the .NET 10 SDK is not installed" >&2; exit 1; }
  local lock=(flock /tmp/drawbridge-build.lock)
  build_lock_held_above && lock=()
  ((${#lock[@]} == 0)) || log "building under /tmp/drawbridge-build.lock (waits while another build or test run holds it)"
  local sources=("$repo_root/src" "$repo_root/Directory.Build.props" "$repo_root/Directory.Packages.props")
  if [[ $drawbridge_build == aot ]]; then
    drawbridge_cmd=("$drawbridge_aot_exe")
    if stale "$drawbridge_aot_exe" "${sources[@]}"; then
      local rid
      rid="$(native_rid)" || exit 2
      log "publishing drawbridge NativeAOT ($rid, Release) into ${drawbridge_aot_out#"$repo_root"/} (a few minutes)"
      "${lock[@]}" dotnet publish "$repo_root/src/Drawbridge.Cli" -c Release -r "$rid" -p:PublishAot=true \
        -o "$drawbridge_aot_out" -nologo -clp:ErrorsOnly >&2 \
        || { echo "bench/run: publishing drawbridge NativeAOT failed (errors above)" >&2; exit 1; }
      touch "$drawbridge_aot_exe"
    fi
  else
    drawbridge_cmd=(dotnet "$drawbridge_dll")
    if stale "$drawbridge_dll" "${sources[@]}"; then
      log "building drawbridge (Release) into ${drawbridge_out#"$repo_root"/}"
      "${lock[@]}" dotnet build "$repo_root/src/Drawbridge.Cli" -c Release -o "$drawbridge_out" -nologo -clp:ErrorsOnly >&2 \
        || { echo "bench/run: building drawbridge failed (errors above)" >&2; exit 1; }
      touch "$drawbridge_dll"
    fi
  fi
  build_tool S10k "$s10k_dll" "$s10k_out"
  build_tool TlsRelay "$tlsrelay_dll" "$tlsrelay_out"
}

# One of the harness's own tools: its folder under bench/, its dll, where it goes. Called by
# build_binaries (whose `lock` and `sources` it uses).
build_tool() {
  local tool="$1" dll="$2" out="$3"
  stale "$dll" "$bench_dir/$tool" "${sources[@]:1}" || return 0
  log "building bench/$tool into ${out#"$repo_root"/}"
  "${lock[@]}" dotnet build "$bench_dir/$tool" -c Release -o "$out" -nologo -clp:ErrorsOnly >&2 \
    || { echo "bench/run: building bench/$tool failed (errors above)" >&2; exit 1; }
  touch "$dll"
}

# The origins every path leads to: iperf3 (T1, T4, CPU), redis (L1, R50, C50) and the S10k
# echo service.
start_origins() {
  alloc_port iperf_port
  start_bg origin-iperf3 iperf3 -s -p "$iperf_port" --bind 127.0.0.1
  wait_until "iperf3 server" 10 "$last_pid" tcp_open "$iperf_port" || { echo "bench/run: $start_error" >&2; exit 1; }

  alloc_port redis_port
  start_bg origin-redis redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    --maxclients 10000 --protected-mode no
  wait_until "redis-server" 10 "$last_pid" redis_pong "$redis_port" || { echo "bench/run: $start_error" >&2; exit 1; }

  alloc_port echo_port
  start_bg origin-echo dotnet "$s10k_dll" echo --listen "127.0.0.1:$echo_port"
  wait_until "S10k echo origin" 20 "$last_pid" tcp_open "$echo_port" || { echo "bench/run: $start_error" >&2; exit 1; }
  log "origins: iperf3 :$iperf_port, redis :$redis_port, echo :$echo_port"
}
