# The four paths of BENCH.md, and dotnet-2tls (below). Each start_<path> function brings its path up to the origins
# (iperf3, redis, and for drawbridge the S10k echo service), probes it end to end, and fills
#   port_iperf[path] port_redis[path]   where the client tools connect
#   relay_pids[path]                    "our processes" for the CPU measure (descendants included)
# On failure it sets $start_error and returns non-zero. Sourced, not run.

declare -A port_iperf=() port_redis=() relay_pids=()

# Waits for the iperf3 and redis forwards of PATH to answer through the whole path.
probe_path() {
  local path="$1" watch="$2" timeout="${3:-30}"
  wait_until "$path: redis through the path" "$timeout" "$watch" redis_pong "${port_redis[$path]}" &&
    wait_until "$path: iperf3 through the path" "$timeout" "$watch" iperf_answers "${port_iperf[$path]}"
}

# direct: the tools talk to the origins themselves. Nothing relays, so nothing to charge CPU to.
start_direct() {
  port_iperf[direct]=$iperf_port
  port_redis[direct]=$redis_port
  relay_pids[direct]=""
}

# ssh: a bastion sshd on loopback; the origin side publishes the origins on the bastion with
# `ssh -R`, the client side pulls them to local ports with `ssh -L`. Default ciphers.
start_ssh() {
  local dir="$work/ssh" user
  user="$(id -un)"
  mkdir -p "$dir"
  ssh-keygen -q -N "" -t ed25519 -C drawbridge-bench -f "$dir/host_key" || { start_error="ssh-keygen failed"; return 1; }
  ssh-keygen -q -N "" -t ed25519 -C drawbridge-bench -f "$dir/client_key" || { start_error="ssh-keygen failed"; return 1; }
  cp "$dir/client_key.pub" "$dir/authorized_keys"
  # sshd refuses to start as root without its privilege separation directory.
  if [[ $(id -u) -eq 0 && ! -d /run/sshd ]]; then mkdir -m 0755 /run/sshd; fi

  local sshd_port bastion_iperf bastion_redis
  alloc_port sshd_port
  alloc_port bastion_iperf
  alloc_port bastion_redis
  alloc_port "port_iperf[ssh]"
  alloc_port "port_redis[ssh]"
  cat >"$dir/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $sshd_port
HostKey $dir/host_key
AuthorizedKeysFile $dir/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin yes
AllowTcpForwarding yes
GatewayPorts no
PidFile $dir/sshd.pid
LogLevel ERROR
UseDNS no
PrintMotd no
# C50 opens 50 new forwarded channels at a time (channels, not connections: no MaxStartups).
MaxSessions 100
EOF
  start_bg ssh-bastion-sshd "$(command -v sshd)" -D -e -f "$dir/sshd_config"
  local sshd_pid=$last_pid
  wait_until "ssh: bastion sshd" 15 "$sshd_pid" tcp_open "$sshd_port" || return 1

  local common=(-F /dev/null -i "$dir/client_key" -o IdentitiesOnly=yes -o StrictHostKeyChecking=no
    -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -o ExitOnForwardFailure=yes
    -o ServerAliveInterval=15 -N -p "$sshd_port")
  start_bg ssh-origin-side-R ssh "${common[@]}" \
    -R "$bastion_iperf:127.0.0.1:$iperf_port" -R "$bastion_redis:127.0.0.1:$redis_port" "$user@127.0.0.1"
  local origin_side=$last_pid
  wait_until "ssh: -R forwards on the bastion" 15 "$origin_side" tcp_open "$bastion_redis" || return 1
  start_bg ssh-client-side-L ssh "${common[@]}" \
    -L "127.0.0.1:${port_iperf[ssh]}:127.0.0.1:$bastion_iperf" -L "127.0.0.1:${port_redis[ssh]}:127.0.0.1:$bastion_redis" "$user@127.0.0.1"
  local client_side=$last_pid
  relay_pids[ssh]="$sshd_pid $origin_side $client_side"
  probe_path ssh "$client_side"
}

# The two TLS relay chains, stunnel-2tls and dotnet-2tls: plain -> TLS -> plain -> TLS -> plain,
# four relay processes, each with one route per origin. Odd relays take plain text and speak TLS
# onward; even ones end TLS. Self-signed certificate, which the odd ones verify.
#
# start_chain PATH RELAY brings one up in $work/PATH: RELAY I DIR starts relay I (1..4) with
# last_pid set, accepting for each service on hop[service,I] and connecting to hop[service,I+1]
# (hop[service,5] is the origin).
start_chain() {
  local path="$1" relay="$2" dir="$work/$1" i service pids=()
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>"$dir/openssl.log" || { start_error="openssl failed (see $dir/openssl.log)"; return 1; }
  declare -A hop=()
  for service in iperf redis; do
    for i in 1 2 3 4; do alloc_port "hop[$service,$i]"; done
  done
  hop[iperf,5]=$iperf_port
  hop[redis,5]=$redis_port
  port_iperf[$path]=${hop[iperf,1]}
  port_redis[$path]=${hop[redis,1]}

  for i in 1 2 3 4; do
    "$relay" "$i" "$dir"
    pids+=("$last_pid")
    wait_until "$path: relay $i" 15 "$last_pid" tcp_open "${hop[redis,$i]}" || return 1
  done
  relay_pids[$path]="${pids[*]}"
  probe_path "$path" "${pids[0]}"
}

# stunnel-2tls: the chain with four stunnel processes.
start_stunnel_2tls() { start_chain stunnel-2tls stunnel_relay; }

stunnel_relay() {
  local i="$1" dir="$2" mode service
  if ((i % 2)); then mode="client = yes
verifyPeer = yes
CAfile = $dir/cert.pem"
  else mode="cert = $dir/cert.pem
key = $dir/key.pem"
  fi
  {
    echo "foreground = yes"
    echo "pid ="
    echo "debug = warning"
    for service in iperf redis; do
      echo "[$service]"
      echo "accept = 127.0.0.1:${hop[$service,$i]}"
      echo "connect = 127.0.0.1:${hop[$service,$((i + 1))]}"
      echo "$mode"
    done
  } >"$dir/stunnel$i.conf"
  start_bg "stunnel$i" stunnel "$dir/stunnel$i.conf"
}

# dotnet-2tls: the same chain with the harness's own relay (bench/TlsRelay): .NET sockets and
# SslStream, 64 KiB copies, nothing else. What .NET's TLS costs with no product logic on top.
start_dotnet_2tls() { start_chain dotnet-2tls tlsrelay_relay; }

tlsrelay_relay() {
  local i="$1" dir="$2" mode routes=() service
  for service in iperf redis; do
    routes+=("127.0.0.1:${hop[$service,$i]}=127.0.0.1:${hop[$service,$((i + 1))]}")
  done
  if ((i % 2)); then mode=(client "$dir/cert.pem"); else mode=(server "$dir/cert.pem" "$dir/key.pem"); fi
  start_bg "tlsrelay$i" dotnet "$tlsrelay_dll" "${mode[@]}" "${routes[@]}"
}

# drawbridge: edge, connector and `access tcp` as separate processes, laid out as the README's
# "Running it for real": edge init/run, tunnel create/route, an application with an allow policy
# per hostname, tunnel run --token. TLS on both legs (the edge is its own CA). The client is a
# signed-in user: `access tcp` presents the app token `access login` stored for its hostname, so
# the edge validates a signed app token (ES256) and evaluates the allow policy on every connection.
declare -A dr_pid=()   # edge, connector, access-iperf, access-redis, access-echo
declare -A dr_login_pid=()   # hostname -> its `access login` while the bench user signs in
dr_edge_port="" dr_echo_port="" dr_tunnel_token=""
readonly dr_hosts=(iperf.bench.localhost redis.bench.localhost echo.bench.localhost)
readonly dr_user=bench-user@example.com

drawbridge_cli() { XDG_CONFIG_HOME="$work/drawbridge/config" "${drawbridge_cmd[@]}" "$@"; }

start_bg_drawbridge() {
  local name="$1"
  shift
  start_bg "drawbridge-$name" env XDG_CONFIG_HOME="$work/drawbridge/config" "${drawbridge_cmd[@]}" "$@"
  dr_pid[$name]=$last_pid
}

start_drawbridge() {
  local dir="$work/drawbridge" init_port host
  mkdir -p "$dir/config"
  alloc_port init_port
  drawbridge_cli edge init --data-dir "$dir/edge" --hostname localhost --port "$init_port" >"$work/logs/drawbridge-init.log" 2>&1 \
    || { start_error="edge init failed: $(tail -n 3 "$work/logs/drawbridge-init.log" | tr '\n' ' ')"; return 1; }
  # The admin credential and the app tokens' issuer name the port given to `edge init`: the
  # first edge listens there, and the user signs in there.
  start_drawbridge_edge "$init_port" || return 1

  # What an operator and a resource owner do once, through the admin API: the tunnel and its
  # routes, then an application per hostname that admits the bench's user by e-mail. The apps
  # keep the default session duration (24 h): an app token outlives a full run (~15 min) with
  # no refresh, and the access clients never need to sign in again.
  local admin="$work/logs/drawbridge-admin.log"
  (
    drawbridge_cli tunnel create bench || exit 1
    for host in "${dr_hosts[@]}"; do
      drawbridge_cli tunnel route dns bench "$host" &&
        drawbridge_cli app create "$host" &&
        drawbridge_cli policy add "$host" --action allow --name "bench user" --include "email:$dr_user" || exit 1
    done
  ) >"$admin" 2>&1 || { start_error="tunnel, app or policy setup failed: $(tail -n 3 "$admin" | tr '\n' ' ')"; return 1; }
  dr_tunnel_token="$(drawbridge_cli tunnel token bench 2>>"$admin")" || { start_error="tunnel token failed"; return 1; }
  cat >"$dir/config.yml" <<EOF
grace-period: 1s
ingress:
  - hostname: iperf.bench.localhost
    service: tcp://127.0.0.1:$iperf_port
  - hostname: redis.bench.localhost
    service: tcp://127.0.0.1:$redis_port
  - hostname: echo.bench.localhost
    service: tcp://127.0.0.1:$echo_port
  - service: reject
EOF
  if ! sign_in_drawbridge_user; then
    # The logins still waiting for an approval would poll the edge until their codes expire.
    local pid
    for pid in "${dr_login_pid[@]}"; do
      [[ -n ${started[$pid]:-} && $(start_time "$pid") == "${started[$pid]}" ]] && kill -TERM "$pid" 2>/dev/null
    done
    return 1
  fi
  start_drawbridge_connector_and_clients
}

# The bench's user signs in as a person does from a machine without a browser (RFC 8628's device
# flow, what `access login --no-browser` does): an app token is for one app, so one
# `access login HOST --no-browser` per hostname, each showing a code and waiting. Then "the
# browser" (curl with a cookie jar, on the edge's own host) signs in once with an e-mailed PIN
# and approves each code with that one session. The edge has no SMTP server, so it writes the
# PIN to its log (a Warning, which --log-level Warning keeps). Each login then redeems its code
# and stores the app token in $XDG_CONFIG_HOME/drawbridge/tokens/HOST.json (owner-only), which
# `access tcp` reads; the edge's data directory keeps the signing keys and the session, so the
# tokens survive restart_drawbridge.
sign_in_drawbridge_user() {
  local dir="$work/drawbridge" signin="$work/drawbridge/signin" host name status pin
  local edge_log="$work/logs/drawbridge-edge.log"
  mkdir -p "$signin"
  declare -A user_code=()
  for host in "${dr_hosts[@]}"; do
    start_bg "drawbridge-login-$host" env XDG_CONFIG_HOME="$dir/config" "${drawbridge_cmd[@]}" \
      access login "$host" --no-browser --edge "127.0.0.1:$dr_edge_port" --ca-cert "$dir/edge/ca.pem"
    dr_login_pid[$host]=$last_pid
  done
  # It prints "... open URL on any device and enter the code:", a blank line, "    BCDF-GHJK".
  for host in "${dr_hosts[@]}"; do
    wait_until "drawbridge: access login $host to show a code" 30 "${dr_login_pid[$host]}" \
      grep -Eq '^ +[A-Z]{4}-[A-Z]{4}$' "$work/logs/drawbridge-login-$host.log" || return 1
    user_code[$host]="$(grep -Eo '^ +[A-Z]{4}-[A-Z]{4}$' "$work/logs/drawbridge-login-$host.log" | head -n 1 | tr -d ' ')"
  done

  local email return_path
  email="$(form_encode "$dr_user")"
  return_path="$(form_encode /_drawbridge/device)"
  status="$(dr_browser /_drawbridge/login/pin "email=$email&return=$return_path" pin-requested.html)"
  [[ $status == 200 ]] || { start_error="sign-in: asking for a PIN got HTTP $status (drawbridge/signin/pin-requested.html, curl.log)"; return 1; }
  local pin_line="sign-in code for $dr_user is"
  wait_until "sign-in: the PIN for $dr_user in the edge's log" 15 "${dr_pid[edge]}" grep -Fq "$pin_line" "$edge_log" || return 1
  pin="$(grep -F "$pin_line" "$edge_log" | tail -n 1 | sed -n 's/.*sign-in code for [^ ]* is \([0-9]\{6\}\).*/\1/p')"
  [[ -n $pin ]] || { start_error="sign-in: no 6-digit PIN in the edge's log line for $dr_user"; return 1; }
  # A right PIN answers with a redirect to the return path and sets the session cookie.
  status="$(dr_browser /_drawbridge/login/pin/verify "email=$email&code=$pin&return=$return_path" pin-verified.html)"
  if [[ $status != 302 ]] || ! grep -q drawbridge_session "$signin/cookies"; then
    start_error="sign-in: the PIN was not accepted (HTTP $status; drawbridge/signin/pin-verified.html)"
    return 1
  fi
  for host in "${dr_hosts[@]}"; do
    status="$(dr_browser /_drawbridge/device "user_code=${user_code[$host]}&decision=approve" "approved-$host.html")"
    if [[ $status != 200 ]] || ! grep -q "Device approved" "$signin/approved-$host.html"; then
      start_error="sign-in: approving the code of $host got HTTP $status (drawbridge/signin/approved-$host.html)"
      return 1
    fi
  done

  # Each login polls every 5 s (the edge's interval), then stores its token and exits 0.
  for host in "${dr_hosts[@]}"; do
    name="drawbridge-login-$host"
    wait_until "drawbridge: access login $host to finish" 30 0 exited "${dr_login_pid[$host]}" || return 1
    status=0
    wait "${dr_login_pid[$host]}" || status=$?
    unset "started[${dr_login_pid[$host]}]"
    if ((status != 0)) || ! grep -Fq "signed in to $host as $dr_user" "$work/logs/$name.log"; then
      start_error="access login $host exited $status: $(tail -n 2 "$work/logs/$name.log" | tr '\n' ' ')"
      return 1
    fi
  done
  log "drawbridge: $dr_user signed in (PIN) and approved ${#dr_hosts[@]} device codes; app tokens stored"
}

# "The browser" of sign_in_drawbridge_user: POSTs the form FIELDS to PATH on the edge's own
# host (its public name, localhost:PORT, pinned to 127.0.0.1; its CA) with a cookie jar, saves
# the page as drawbridge/signin/PAGE and prints the HTTP status. Redirects are not followed. The
# fields go on stdin, not argv: one of them is the PIN.
dr_browser() {
  local path="$1" fields="$2" page="$3" signin="$work/drawbridge/signin"
  curl -sS --max-time 15 --cacert "$work/drawbridge/edge/ca.pem" --resolve "localhost:$dr_edge_port:127.0.0.1" \
    --cookie "$signin/cookies" --cookie-jar "$signin/cookies" -o "$signin/$page" -w '%{http_code}' \
    --data-binary @- "https://localhost:$dr_edge_port$path" 2>>"$signin/curl.log" < <(printf '%s' "$fields")
}

# application/x-www-form-urlencoded value of $1 (ASCII).
form_encode() {
  local text="$1" out="" c i
  for ((i = 0; i < ${#text}; i++)); do
    c="${text:i:1}"
    case "$c" in
      [A-Za-z0-9._~-]) out+="$c" ;;
      *) printf -v c '%%%02X' "'$c"; out+="$c" ;;
    esac
  done
  printf '%s' "$out"
}

# The edge on PORT, or on a fresh one (a restart must not wait for the old listener's port).
start_drawbridge_edge() {
  if [[ -n ${1:-} ]]; then dr_edge_port=$1; else alloc_port dr_edge_port; fi
  # Warning: the edge's per-connection audit line at Information would be C50's main cost. The
  # sign-in PIN (no SMTP server) is logged at Warning, so the bench reads it at this level.
  start_bg_drawbridge edge edge run --data-dir "$work/drawbridge/edge" --listen "127.0.0.1:$dr_edge_port" \
    --grace-period 1s --log-level Warning
  wait_until "drawbridge: edge" 30 "${dr_pid[edge]}" tcp_open "$dr_edge_port"
}

start_drawbridge_connector_and_clients() {
  local dir="$work/drawbridge" role
  # The token goes through the environment, not argv, as a real deployment would keep it.
  DRAWBRIDGE_TUNNEL_TOKEN="$dr_tunnel_token" start_bg_drawbridge connector tunnel run --config "$dir/config.yml" \
    --edge "127.0.0.1:$dr_edge_port" --log-level Warning

  alloc_port "port_iperf[drawbridge]"
  alloc_port "port_redis[drawbridge]"
  alloc_port dr_echo_port
  # No service token: each client uses the stored app token of its hostname. --no-browser: were
  # that token refused, the client would wait for a device code (below) instead of opening a
  # browser on the machine running the bench.
  local access=(--edge "127.0.0.1:$dr_edge_port" --ca-cert "$dir/edge/ca.pem" --no-browser ${access_flags[@]+"${access_flags[@]}"})
  start_bg_drawbridge access-iperf access tcp --hostname iperf.bench.localhost --url "127.0.0.1:${port_iperf[drawbridge]}" "${access[@]}"
  start_bg_drawbridge access-redis access tcp --hostname redis.bench.localhost --url "127.0.0.1:${port_redis[drawbridge]}" "${access[@]}"
  start_bg_drawbridge access-echo access tcp --hostname echo.bench.localhost --url "127.0.0.1:$dr_echo_port" "${access[@]}"
  relay_pids[drawbridge]="${dr_pid[edge]} ${dr_pid[connector]} ${dr_pid[access-iperf]} ${dr_pid[access-redis]} ${dr_pid[access-echo]}"
  if ! probe_path drawbridge "${dr_pid[connector]}" 60; then
    for role in access-iperf access-redis access-echo; do
      if grep -q "to sign in to" "$work/logs/drawbridge-$role.log"; then
        start_error="$role asked for a new sign-in: the edge refused the stored app token (logs/drawbridge-$role.log, logs/drawbridge-edge.log)"
      fi
    done
    return 1
  fi
}

# Stops drawbridge's five processes and starts them again: each S10k repetition measures
# processes that hold nothing from earlier measures (a garbage-collected heap keeps what it
# grew to, so a second 10,000 streams in the same process would reuse or add to it at random).
restart_drawbridge() {
  local role pid
  for role in "${!dr_pid[@]}"; do kill -TERM "${dr_pid[$role]}" 2>/dev/null || true; done
  for role in "${!dr_pid[@]}"; do
    pid="${dr_pid[$role]}"
    wait_until "drawbridge: $role to exit" 10 0 exited "$pid" || kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    unset "started[$pid]"
  done
  start_drawbridge_edge && start_drawbridge_connector_and_clients
}

exited() { ! kill -0 "$1" 2>/dev/null; }

# A short run of each tool through the path before anything is measured: JIT, TLS session
# caches and TCP windows settle here instead of in the first repetition.
warm_up() {
  local path="$1"
  log "warming up $path"
  timeout 30 iperf3 -c 127.0.0.1 -p "${port_iperf[$path]}" -t 1 >/dev/null 2>&1 || true
  timeout 30 iperf3 -c 127.0.0.1 -p "${port_iperf[$path]}" -t 1 -R >/dev/null 2>&1 || true
  timeout 60 redis-benchmark -h 127.0.0.1 -p "${port_redis[$path]}" -c 10 -n 5000 -t ping_mbulk -q >/dev/null 2>&1 || true
  timeout 60 redis-benchmark -h 127.0.0.1 -p "${port_redis[$path]}" -c 10 -k 0 -n 500 -t ping_mbulk -q >/dev/null 2>&1 || true
}
