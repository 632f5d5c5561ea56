#!/usr/bin/env bash
# What metrics cost on the invocation path (issue 7): three nodes side by side, each with the same
# trivial HTTP-mode function (nginx answering 200 from memory, one pinned replica), loaded in turn
# with wrk (2 threads, 32 connections) in interleaved rounds, so that a noisy neighbour on a shared
# machine hurts every variant alike:
#   off    SHARDLESS_METRICS_ENABLED=false (no Kamon at all)
#   kamon  Kamon and the node's own metrics, no agent (SHARDLESS_KAMON_AGENT=false)
#   agent  as ./shardless runs by default: plus the Kanela agent (Pekko HTTP server metrics,
#          actor-system metrics)
#   actors the agent with SHARDLESS_KAMON_ACTOR_METRICS=true: plus the dispatchers' per-task and
#          the sharded entities' per-message metrics; e.g. BENCH_VARIANTS="kamon agent actors"
# Prints every round and the median per variant, with the ratio to "off", and the node JVM's CPU
# time per request (user + system, from /proc): less disturbed by a busy machine than req/s.
#
# usage: loadtest/bench/kamon-agent-cost.sh [seconds-per-run (default 15)] [rounds (default 5)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DURATION="${1:-15}"
ROUNDS="${2:-5}"
BASE_PORT="${BENCH_BASE_PORT:-$((20000 + RANDOM % 20000))}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/shardless-agent-bench.XXXXXX")"
PIDS=()
read -r -a VARIANTS <<<"${BENCH_VARIANTS:-off kamon agent}"

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
# shellcheck source=loadtest/bench/node.sh
. "$ROOT/loadtest/bench/node.sh"

need wrk wrk
need nginx nginx

# The next port from $1 on that nothing on 127.0.0.1 listens on (the machine may be shared).
free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

declare -A PORT JVM
next=$BASE_PORT
for v in "${VARIANTS[@]}"; do
  PORT[$v]=$(free_port "$next")
  next=$((PORT[$v] + 1))
  case $v in
    off) extra=(SHARDLESS_METRICS_ENABLED=false) ;;
    kamon) extra=(SHARDLESS_KAMON_AGENT=false) ;;
    agent) extra=(SHARDLESS_KAMON_AGENT=true SHARDLESS_KAMON_ACTOR_METRICS=false) ;;
    actors) extra=(SHARDLESS_KAMON_AGENT=true SHARDLESS_KAMON_ACTOR_METRICS=true) ;;
    *) echo "unknown variant $v" >&2; exit 2 ;;
  esac
  # One after the other: the first start may build, the others find the build fresh.
  start_node "${PORT[$v]}" "$WORK/$v" "$WORK/$v.log" \
    SHARDLESS_JAVA_OPTS="-XX:+UseParallelGC -Xms1g -Xmx1g" \
    SHARDLESS_METRICS_PORT=0 SHARDLESS_CLUSTER_PORT=0 "${extra[@]}"
  PIDS+=("$NODE_PID")
  JVM[$v]=$NODE_PID
  # Answering on the port is not enough: it must be this node (still running, and bound there).
  if ! kill -0 "$NODE_PID" 2>/dev/null \
    || ! grep -q "Shardless is running: http://127.0.0.1:${PORT[$v]}" "$WORK/$v.log"; then
    echo "the $v node did not start on port ${PORT[$v]}; its log: $WORK/$v.log" >&2
    exit 1
  fi
  curl -fs -u admin:bench -X POST "http://127.0.0.1:${PORT[$v]}/system/functions" -d "{
    \"service\": \"bench-nginx\", \"image\": \"bench/nginx\",
    \"envProcess\": \"sh $ROOT/loadtest/bench/nginx-function.sh\",
    \"envVars\": {\"mode\": \"http\"},
    \"labels\": {\"com.openfaas.scale.min\": \"1\", \"com.openfaas.scale.max\": \"1\"}}" >/dev/null
  for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT[$v]}/function/bench-nginx")" = 200 ] && break
    sleep 0.2
  done
done
for v in agent actors; do
  if [ -f "$WORK/$v.log" ] && ! grep -q "Kanela" "$WORK/$v.log"; then
    echo "the $v node runs without Kanela" >&2
    exit 1
  fi
done

# wrk with 2 threads and 32 connections; prints "req/s p50_ms p99_ms".
measure() {
  wrk -t2 -c32 -d"$2s" --latency "$1" 2>/dev/null | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { rps=$2 }
    $1=="50%" { p50=ms($2) }
    $1=="99%" { p99=ms($2) }
    END { printf "%.0f %.3f %.3f\n", rps, p50, p99 }'
}

# CPU time of a process so far, in clock ticks (utime + stime, /proc/PID/stat fields 14 and 15).
cpu_ticks() {
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}
HZ=$(getconf CLK_TCK)

for v in "${VARIANTS[@]}"; do # warm-up: JIT and connection pools
  measure "http://127.0.0.1:${PORT[$v]}/function/bench-nginx" 5 >/dev/null
done

echo "Metrics cost, wrk -t2 -c32 ${DURATION}s per run, $ROUNDS interleaved rounds, $(nproc) cores"
printf '%-6s %-6s %10s %10s %10s %12s\n' round node "req/s" "p50 ms" "p99 ms" "CPU us/req"
declare -A RESULTS
for round in $(seq 1 "$ROUNDS"); do
  # Rotate the order each round so that no variant always runs first or last.
  n=${#VARIANTS[@]}
  for k in $(seq 0 $((n - 1))); do
    v="${VARIANTS[$(((k + round) % n))]}"
    before=$(cpu_ticks "${JVM[$v]}")
    read -r rps p50 p99 < <(measure "http://127.0.0.1:${PORT[$v]}/function/bench-nginx" "$DURATION")
    after=$(cpu_ticks "${JVM[$v]}")
    cpu=$(awk -v t=$((after - before)) -v hz="$HZ" -v r="$rps" -v d="$DURATION" \
      'BEGIN { printf "%.1f", (r > 0) ? t / hz * 1e6 / (r * d) : 0 }')
    printf '%-6s %-6s %10s %10s %10s %12s\n' "$round" "$v" "$rps" "$p50" "$p99" "$cpu"
    RESULTS[$v]+="$rps $p50 $p99 $cpu"$'\n'
  done
done

median() { sort -n | awk '{a[NR]=$1} END { print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2 }'; }
echo
printf '%-6s %12s %12s %12s %14s %16s\n' node "median req/s" "median p50" "median p99" \
  "req/s vs ${VARIANTS[0]}" \
  "CPU us/req (med)"
off_rps=$(printf '%s' "${RESULTS[${VARIANTS[0]}]}" | awk 'NF{print $1}' | median)
for v in "${VARIANTS[@]}"; do
  rps=$(printf '%s' "${RESULTS[$v]}" | awk 'NF{print $1}' | median)
  p50=$(printf '%s' "${RESULTS[$v]}" | awk 'NF{print $2}' | median)
  p99=$(printf '%s' "${RESULTS[$v]}" | awk 'NF{print $3}' | median)
  cpu=$(printf '%s' "${RESULTS[$v]}" | awk 'NF{print $4}' | median)
  printf '%-6s %12s %12s %12s %14s %16s\n' "$v" "$rps" "$p50" "$p99" \
    "$(awk -v a="$rps" -v b="$off_rps" 'BEGIN{printf "%.3f", a/b}')" "$cpu"
done
