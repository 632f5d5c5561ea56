#!/usr/bin/env bash
# Gateway overhead benchmark (issue 2): a trivial HTTP-mode function (nginx answering 200 from
# memory) called directly and through the Shardless gateway, sequentially (1 connection) and with
# 32 connections, using wrk with identical settings. Prints throughput and p50/p99 per case and
# the gateway's added p50 latency. Everything runs on 127.0.0.1 and stops by itself.
#
# usage: loadtest/bench/gateway-overhead.sh [seconds-per-run (default 15)] [rounds (default 2)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DURATION="${1:-15}"
ROUNDS="${2:-2}"
GW_PORT="${BENCH_GATEWAY_PORT:-18080}"
DIRECT_PORT="${BENCH_DIRECT_PORT:-18081}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/shardless-bench.XXXXXX")"
PIDS=()

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
# shellcheck source=loadtest/bench/node.sh
. "$ROOT/loadtest/bench/node.sh"

need wrk wrk
need nginx nginx


# Direct backend: the same function script, started by hand on a known port.
PORT="$DIRECT_PORT" sh "$ROOT/loadtest/bench/nginx-function.sh" >"$WORK/direct.log" 2>&1 &
PIDS+=($!)

# The gateway: a node with the function deployed as one pinned replica.
start_node "$GW_PORT" "$WORK/data" "$WORK/node.log" \
  SHARDLESS_JAVA_OPTS="-XX:+UseParallelGC -Xms2g -Xmx2g"
PIDS+=("$NODE_PID")
curl -fs -u admin:bench -X POST "http://127.0.0.1:$GW_PORT/system/functions" -d "{
  \"service\": \"bench-nginx\", \"image\": \"bench/nginx\",
  \"envProcess\": \"sh $ROOT/loadtest/bench/nginx-function.sh\",
  \"envVars\": {\"mode\": \"http\"},
  \"labels\": {\"com.openfaas.scale.min\": \"1\", \"com.openfaas.scale.max\": \"1\"}}" >/dev/null
for _ in $(seq 1 300); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$GW_PORT/function/bench-nginx")" = 200 ] && break
  sleep 0.2
done
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$DIRECT_PORT/" >/dev/null 2>&1 && break
  sleep 0.1
done


# Warm-up: JIT and connection pools.
measure "http://127.0.0.1:$GW_PORT/function/bench-nginx" 2 32 5 >/dev/null
measure "http://127.0.0.1:$DIRECT_PORT/" 2 32 2 >/dev/null

declare -A best
for round in $(seq 1 "$ROUNDS"); do
  for mode in seq c32; do
    if [ $mode = seq ]; then t=1; c=1; else t=2; c=32; fi
    for target in direct gateway; do
      if [ $target = direct ]; then url="http://127.0.0.1:$DIRECT_PORT/"
      else url="http://127.0.0.1:$GW_PORT/function/bench-nginx"; fi
      read -r rps p50 p99 < <(measure "$url" $t $c "$DURATION")
      key="$target/$mode"
      prev="${best[$key]:-0 0 0}"
      if awk -v a="$rps" -v b="${prev%% *}" 'BEGIN{exit !(a>b)}'; then best[$key]="$rps $p50 $p99"; fi
    done
  done
done

echo
echo "Gateway overhead, wrk ${DURATION}s per run, best of $ROUNDS interleaved rounds, $(nproc) cores"
printf '%-22s %10s %10s %10s\n' case "req/s" "p50 ms" "p99 ms"
for mode in seq c32; do
  for target in direct gateway; do
    read -r rps p50 p99 <<<"${best[$target/$mode]}"
    label="$target, $( [ $mode = seq ] && echo '1 connection' || echo '32 connections')"
    printf '%-22s %10s %10s %10s\n' "$label" "$rps" "$p50" "$p99"
  done
done
for mode in seq c32; do
  read -r _ d50 _ <<<"${best[direct/$mode]}"
  read -r grps g50 _ <<<"${best[gateway/$mode]}"
  read -r drps _ _ <<<"${best[direct/$mode]}"
  awk -v m="$mode" -v d="$d50" -v g="$g50" -v gr="$grps" -v dr="$drps" 'BEGIN {
    printf "%s: gateway adds %.3f ms at p50; throughput ratio gateway/direct %.2f\n", m, g-d, gr/dr }'
done
