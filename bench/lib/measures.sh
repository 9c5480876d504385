# The measures of BENCH.md. Each measure_<id> PATH runs one repetition on one path and
# appends its figures to results/<row>.<path>, one value a line. A failed run writes the reason
# to results/<row>.<path>.failed (and fails the harness). Sourced, not run.

record() { echo "$3" >>"$work/results/$1.$2"; }

record_failure() {
  local row="$1" path="$2" reason="$3"
  echo "$reason" >>"$work/results/$row.$path.failed"
  fail "$row on $path: $reason"
}

# Why a path cannot do a measure at all (not a failure): results/<row>.<path>.na
not_applicable() { echo "$3" >"$work/results/$1.$2.na"; }

# Runs iperf3 against PORT for SECONDS with extra flags; prints "bits_per_second bytes" as the
# receiver counted them (end.sum_received of iperf3's JSON report), or fails with the reason.
# One iperf3 server serves every path, one test at a time: after a test through a relay the
# server can still be ending it when the next client arrives, and iperf3 then reports "the
# server is busy" (exit code 0). Such a run is tried again, at most 20 times over about 10 s.
run_iperf() {
  local port="$1" seconds="$2" report="$work/iperf.json" attempt error
  shift 2
  for attempt in {1..20}; do
    if ! timeout $((seconds + 30)) iperf3 -c 127.0.0.1 -p "$port" -t "$seconds" -J "$@" >"$report" 2>&1; then
      echo "iperf3 failed: $(iperf_error "$report")"
      return 1
    fi
    error="$(iperf_error "$report")"
    [[ $error == *"server is busy"* ]] || break
    sleep 0.5
  done
  if [[ -n $error ]]; then
    echo "iperf3 reported: $error"
    return 1
  fi
  awk '
    /"sum_received"/ { inside = 1 }
    inside && /"bytes"/ { gsub(/[^0-9.eE+]/, "", $2); bytes = $2 }
    inside && /"bits_per_second"/ { gsub(/[^0-9.eE+]/, "", $2); print $2, bytes; found = 1; exit }
    END { if (!found) exit 1 }' FS=':' "$report" || { echo "iperf3 printed no receiver summary"; return 1; }
}

# The "error" of an iperf3 JSON report, empty when there is none.
iperf_error() { sed -n 's/.*"error":[[:space:]]*"\(.*\)".*/\1/p' "$1" | head -n 1; }

# T1 both directions, and CPU: user+system seconds of the path's own processes per GB (10^9
# bytes) moved, over both directions of this repetition.
measure_T1() {
  local path="$1" port="${port_iperf[$1]}" direction out bps bytes
  local total_ticks=0 total_bytes=0 before after
  declare -A split_before=()
  for direction in forward reverse; do
    local flags=()
    [[ $direction == reverse ]] && flags=(-R)
    # shellcheck disable=SC2086 # a list of PIDs
    before=$(cpu_ticks ${relay_pids[$path]})
    if [[ $path == drawbridge ]]; then
      for role in access-iperf edge connector; do split_before[$role]=$(cpu_ticks "${dr_pid[$role]}"); done
    fi
    if ! out="$(run_iperf "$port" "$iperf_seconds" "${flags[@]}")"; then
      record_failure "T1-$direction" "$path" "$out"
      continue
    fi
    # shellcheck disable=SC2086 # a list of PIDs
    after=$(cpu_ticks ${relay_pids[$path]})
    read -r bps bytes <<<"$out"
    record "T1-$direction" "$path" "$bps"
    total_ticks=$((total_ticks + after - before))
    total_bytes=$(awk -v a="$total_bytes" -v b="$bytes" 'BEGIN { printf "%.0f", a + b }')
    if [[ $path == drawbridge ]]; then
      for role in access-iperf edge connector; do
        record "cpu-split-$role-$direction" drawbridge \
          "$(awk -v t=$(($(cpu_ticks "${dr_pid[$role]}") - split_before[$role])) -v hz="$clk_tck" -v b="$bytes" 'BEGIN { printf "%.4f", t / hz / (b / 1e9) }')"
      done
    fi
  done
  if [[ -z ${relay_pids[$path]} ]]; then
    [[ -e $work/results/CPU.$path.na ]] || not_applicable CPU "$path" "no relay process"
  elif ((total_bytes > 0)); then
    record CPU "$path" "$(awk -v t="$total_ticks" -v hz="$clk_tck" -v b="$total_bytes" 'BEGIN { printf "%.4f", t / hz / (b / 1e9) }')"
  fi
}

measure_T4() {
  local path="$1" out
  if out="$(run_iperf "${port_iperf[$path]}" "$iperf_seconds" -P 4)"; then
    record T4 "$path" "${out%% *}"
  else
    record_failure T4 "$path" "$out"
  fi
}

# Runs redis-benchmark's PING (the RESP form) through PORT; prints its CSV row:
# rps avg min p50 p95 p99 max (latencies in ms).
run_redis_benchmark() {
  local port="$1" output
  shift
  if ! output="$(timeout 300 redis-benchmark -h 127.0.0.1 -p "$port" -t ping_mbulk --csv "$@" 2>&1)"; then
    echo "redis-benchmark failed: $(grep -v '^"' <<<"$output" | tail -n 1)"
    return 1
  fi
  awk -F',' '/^"PING_MBULK"/ { gsub(/"/, ""); split($0, f, ","); print f[2], f[3], f[4], f[5], f[6], f[7], f[8]; found = 1 } END { if (!found) exit 1 }' <<<"$output" ||
    { echo "redis-benchmark printed no result: $(tail -n 1 <<<"$output")"; return 1; }
}

measure_L1() {
  local path="$1" out rps avg min p50
  if out="$(run_redis_benchmark "${port_redis[$path]}" -c 1 -n "$l1_requests" --precision 3)"; then
    read -r rps avg min p50 _ <<<"$out"
    record L1 "$path" "$p50"
  else
    record_failure L1 "$path" "$out"
  fi
}

measure_R50() {
  local path="$1" out
  if out="$(run_redis_benchmark "${port_redis[$path]}" -c 50 -n "$r50_requests")"; then
    record R50 "$path" "${out%% *}"
  else
    record_failure R50 "$path" "$out"
  fi
}

measure_C50() {
  local path="$1" out rps p99
  if out="$(run_redis_benchmark "${port_redis[$path]}" -c 50 -k 0 -n "$c50_requests" --precision 3)"; then
    read -r rps _ _ _ _ p99 _ <<<"$out"
    record C50 "$path" "$rps"
    record C50-p99 "$path" "$p99"
  else
    record_failure C50 "$path" "$out"
  fi
}

# S10k: BENCH.md defines it for drawbridge's edge and connector. The tool prints one
# key=value line; memory is VmRSS after all streams are open minus before, per stream.
measure_S10k() {
  local path="$1" line opened failed deltas edge_kib connector_kib access_kib
  if [[ $path != drawbridge ]]; then
    not_applicable S10k-held "$path" "measure of drawbridge's connector"
    not_applicable S10k-memory "$path" "measure of drawbridge's connector"
    return 0
  fi
  log "S10k: restarting drawbridge's processes, so that this repetition starts from fresh ones"
  if ! restart_drawbridge; then
    record_failure S10k-held drawbridge "the restart before S10k failed: $start_error"
    return 0
  fi
  local timeout=$((60 + s10k_streams / 50))
  line="$(timeout $((timeout + 30)) dotnet "$s10k_dll" open --target "127.0.0.1:$dr_echo_port" --count "$s10k_streams" \
    --pids "${dr_pid[edge]},${dr_pid[connector]},${dr_pid[access-echo]}" --timeout "$timeout" 2>&1 | tail -n 1)" || true
  echo "$line" >>"$work/logs/s10k-runs.log"
  opened="$(sed -n 's/.* opened=\([0-9]*\).*/\1/p' <<<"$line")"
  if [[ -z $opened ]]; then
    record_failure S10k-held drawbridge "the S10k tool printed no report: $line"
    return 0
  fi
  failed="$(sed -n 's/.* failed=\([0-9]*\).*/\1/p' <<<"$line")"
  deltas="$(sed -n 's/.* rss_delta_kib_by_pid=\([-0-9,]*\).*/\1/p' <<<"$line")"
  IFS=, read -r edge_kib connector_kib access_kib <<<"$deltas"
  record S10k-held drawbridge "$opened"
  record S10k-open-seconds drawbridge "$(sed -n 's/.* open_seconds=\([0-9.]*\).*/\1/p' <<<"$line")"
  if ((opened > 0)); then
    record S10k-memory drawbridge "$(awk -v e="$edge_kib" -v c="$connector_kib" -v n="$opened" 'BEGIN { printf "%.2f", (e + c) / n }')"
    record S10k-access-memory drawbridge "$(awk -v a="$access_kib" -v n="$opened" 'BEGIN { printf "%.2f", a / n }')"
  fi
  if ((failed > 0)); then
    local why
    why="$failed of $s10k_streams streams failed: $(sed -n 's/.* first_error=//p' <<<"$line")"
    # In a full run that is the goal "all succeed" missed, shown in the table; in quick mode
    # (500 streams) it means the path is broken.
    if ((quick)); then
      record_failure S10k-held drawbridge "$why"
    else
      echo "$why" >>"$work/results/S10k-held.drawbridge.note"
      log "S10k: $why"
    fi
  fi
}
