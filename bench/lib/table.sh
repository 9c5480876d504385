# The one markdown table bench/run prints, and the notes under it. Sourced, not run.

# "median min max count" of results/ROW.PATH (scaled by 1/DIVISOR), or nothing.
stats() {
  local file="$work/results/$1.$2" divisor="${3:-1}"
  [[ -s $file ]] || return 0
  sort -g "$file" | awk -v d="$divisor" '
    { v[NR] = $1 / d }
    END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      print m, v[1], v[NR], NR
    }'
}

median() { stats "$@" | awk '{ print $1 }'; }

fmt() { awk -v v="$1" -v d="$2" 'BEGIN { printf "%.*f", d, v }'; }

# One cell: "median (min–max)", or why there is no figure.
cell() {
  local row="$1" path="$2" divisor="$3" decimals="$4" s text="" failed_runs=0
  if ! path_ok "$path"; then
    echo "n/a (path down)"
    return
  fi
  if [[ -e $work/results/$row.$path.na ]]; then
    echo "n/a ($(cat "$work/results/$row.$path.na"))"
    return
  fi
  [[ -e $work/results/$row.$path.failed ]] && failed_runs=$(wc -l <"$work/results/$row.$path.failed")
  s="$(stats "$row" "$path" "$divisor")"
  if [[ -n $s ]]; then
    local m lo hi n
    read -r m lo hi n <<<"$s"
    text="$(fmt "$m" "$decimals")"
    ((n > 1)) && text+=" ($(fmt "$lo" "$decimals")–$(fmt "$hi" "$decimals"))"
  fi
  if ((failed_runs > 0)); then
    [[ -n $text ]] && text+="; "
    text+="$failed_runs run(s) failed: $(head -n 1 "$work/results/$row.$path.failed" | cut -c1-80)"
  fi
  echo "${text:-n/a (no result)}"
}

# drawbridge's median over PEER's, or empty when either is missing.
ratio() {
  local row="$1" peer="$2" d p
  d="$(median "$row" drawbridge)"
  p="$(median "$row" "$peer")"
  [[ -n $d && -n $p ]] || return 0
  awk -v d="$d" -v p="$p" 'BEGIN { if (p != 0) printf "%.2f", d / p }'
}

ratio_cell() { local r; r="$(ratio "$@")"; [[ -n $r ]] && echo "${r}×" || echo "—"; }

# True when awk finds the comparison true, e.g. holds 1.7 '>=' 1.5. Empty values never hold.
holds() { [[ -n $1 ]] && awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }"; }

met() { if "$@"; then echo "met"; else echo "**missed**"; fi; }

# T1's goal: ≥ 1.5× ssh and ≥ 1.0× stunnel-2tls.
both_hold() { holds "$1" ">=" 1.5 && holds "$2" ">=" 1.0; }

goal_status() {
  local row="$1" rs rt
  rs="$(ratio "$row" ssh)"
  rt="$(ratio "$row" stunnel-2tls)"
  case "$row" in
    T1-forward | T1-reverse) met both_hold "$rs" "$rt" ;;
    T4) met holds "$rs" ">=" 1.5 ;;
    L1) met holds "$rs" "<=" 0.8 ;;
    R50) met holds "$rs" ">=" 1.0 ;;
    C50) met holds "$rs" ">=" 2.0 ;;
    CPU) met holds "$rs" "<=" 1.0 ;;
    S10k-held)
      local lo
      lo="$(stats S10k-held drawbridge | awk '{ print $2 }')"
      met holds "$lo" ">=" "$s10k_streams" ;;
    S10k-memory) met holds "$(median S10k-memory drawbridge)" "<=" 20 ;;
    *) echo "—" ;;
  esac
}

print_table() {
  local mem_gib line row label divisor decimals goal path
  # row|label|divisor|decimals|goal for drawbridge (BENCH.md)
  local table_rows=(
    "T1-forward|T1 → Gbit/s, 1 stream, client→origin|1e9|2|≥ 1.0× stunnel-2tls and ≥ 1.5× ssh"
    "T1-reverse|T1 ← Gbit/s, 1 stream, origin→client (-R)|1e9|2|≥ 1.0× stunnel-2tls and ≥ 1.5× ssh"
    "T4|T4 → Gbit/s, 4 streams|1e9|2|≥ 1.5× ssh"
    "L1|L1 p50 ms, 1 client, serial PING|1|3|≤ 0.8× ssh"
    "R50|R50 req/s, 50 clients, kept alive|1|0|≥ 1.0× ssh"
    "C50|C50 req/s, 50 clients, new connection per request|1|0|≥ 2.0× ssh"
    "C50-p99|C50 p99 ms|1|2|reported"
    "CPU|CPU s/GB in T1, our processes|1|2|≤ ssh's (≤ 1.0×)"
    "S10k-held|S10k streams held (of $s10k_streams)|1|0|all succeed"
    "S10k-memory|S10k edge+connector KiB/stream|1|1|≤ 20 KiB"
  )

  mem_gib="$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)"
  echo
  echo "### Drawbridge bench — $(date -u '+%Y-%m-%d %H:%M UTC') — nproc $(nproc), ${mem_gib} GiB RAM, Linux $(uname -r)" \
    "— $( ((quick)) && echo "QUICK mode (1 short repetition, goals not judged)" || echo "$reps repetitions, median (min–max)")"
  echo
  # The goals are judged on ÷ ssh and ÷ stunnel-2tls; ÷ dotnet-2tls is what the product costs
  # over .NET's own TLS relayed with nothing on top.
  local peers=(ssh stunnel-2tls dotnet-2tls) peer
  local header="| measure | goal for drawbridge |" rule="|---|---|"
  for path in "${all_paths[@]}"; do header+=" $path |"; rule+="---|"; done
  for peer in "${peers[@]}"; do header+=" drawbridge ÷ $peer |"; rule+="---|"; done
  if ((!quick)); then
    header+=" goal |"
    rule+="---|"
  fi
  echo "$header"
  echo "$rule"
  for line in "${table_rows[@]}"; do
    IFS='|' read -r row label divisor decimals goal <<<"$line"
    local out="| $label | $goal |"
    for path in "${all_paths[@]}"; do out+=" $(cell "$row" "$path" "$divisor" "$decimals") |"; done
    for peer in "${peers[@]}"; do out+=" $(ratio_cell "$row" "$peer") |"; done
    ((quick)) || out+=" $(goal_status "$row") |"
    echo "$out"
  done
  echo
  print_notes
}

print_notes() {
  local role direction parts=()
  echo "Notes: ratios are of medians; GB = 10^9 bytes; CPU = user+system seconds of the path's own"
  echo "processes (ssh: bastion sshd with its per-connection children + both ssh clients; stunnel-2tls:"
  echo "the four stunnels; dotnet-2tls: its four relays; drawbridge: edge + connector + the access clients)"
  echo "per GB iperf3 moved in T1, both directions. drawbridge runs edge, connector and \`access tcp\`"
  echo "as separate processes (log level Warning), TLS on both legs; the client is a user signed in by"
  echo "e-mailed PIN and device code, so every connection carries an app token (ES256) the edge"
  echo "validates and an allow policy for that e-mail admits. ssh uses OpenSSH's default ciphers;"
  echo "stunnel its defaults."
  echo "dotnet-2tls is stunnel-2tls's chain of four relays written on .NET's sockets and SslStream"
  echo "(bench/TlsRelay: 64 KiB copies, OpenSSL's default ciphers, no product logic): what TLS costs"
  echo "on the runtime drawbridge is written on. Goals are judged against ssh and stunnel-2tls only."
  if [[ $drawbridge_build == aot ]]; then
    echo "drawbridge build: NativeAOT (\`dotnet publish -p:PublishAot=true\`, $(stat -c %s "$drawbridge_aot_exe" | awk '{ printf "%.1f", $1 / 1048576 }') MiB executable)."
  else
    echo "drawbridge build: JIT (\`dotnet drawbridge.dll\`, Release)."
  fi
  if ((${#access_flags[@]} > 0)); then
    echo "drawbridge clients ran with: \`access tcp ${access_flags[*]}\`."
  fi
  if [[ -s $work/results/cpu-split-edge-forward.drawbridge ]]; then
    for role in access-iperf edge connector; do
      parts+=("${role%-iperf} $(fmt "$(median "cpu-split-$role-forward" drawbridge)" 2) → / $(fmt "$(median "cpu-split-$role-reverse" drawbridge)" 2) ←")
    done
    local joined
    joined="$(printf '%s; ' "${parts[@]}")"
    echo "drawbridge CPU s/GB by process in T1 (→ / ←): ${joined%; }."
  fi
  if [[ -s $work/results/S10k-access-memory.drawbridge ]]; then
    echo "S10k: opening all $s10k_streams streams took $(fmt "$(median S10k-open-seconds drawbridge)" 1) s (median);" \
      "the access client (not in the goal) grew by $(fmt "$(median S10k-access-memory drawbridge)" 1) KiB/stream."
  fi
  if [[ -s $work/results/S10k-held.drawbridge.note ]]; then
    echo "S10k: $(head -n 1 "$work/results/S10k-held.drawbridge.note")"
  fi
}
