#!/usr/bin/env bash
# The issue 7 benchmark, in one command on one machine: a trivial function (nginx answering 200
# from memory, nginx-function.sh) measured
#   (a) directly,
#   (b) through an nginx reverse proxy (Debian nginx, keepalive upstream),
#   (c) through the Shardless gateway (the platform starts the same function as an HTTP-mode
#       replica),
# with the same wrk settings: 1 connection (sequential) and BENCH_CONNECTIONS (default 32). Then
# the gateway's p99 added latency at half of its maximum throughput (hey, rate-limited, against the
# gateway and against the function directly at the same rate), scale-from-zero latency
# (scale-from-zero.sh) and the async accept rate (async-accept.sh on the embedded H2 journal).
# Installs its Debian tools (wrk, nginx, hey, jq, curl, python3, bubblewrap), builds the node when
# it was never built, prints one table, and stops every process it started.
#
# usage: loadtest/bench/compare.sh [seconds-per-run (default 15)] [rounds (default 2)]
# environment (all optional):
#   BENCH_CONNECTIONS=32          concurrent connections of the concurrent runs
#   BENCH_PROXY_WORKERS=auto      nginx reverse proxy worker_processes
#   BENCH_JAVA_OPTS=...           the node's JVM options (default -XX:+UseParallelGC -Xms2g -Xmx2g)
#   BENCH_COLD_ITERATIONS=10      scale-from-zero iterations (0 skips)
#   BENCH_ASYNC_SECONDS=10        seconds per async-accept run (0 skips)
#   BENCH_GATEWAY_PORT=18080, BENCH_DIRECT_PORT=18081, BENCH_PROXY_PORT=18082
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH="$ROOT/loadtest/bench"
DURATION="${1:-15}"
ROUNDS="${2:-2}"
CONNS="${BENCH_CONNECTIONS:-32}"
GW_PORT="${BENCH_GATEWAY_PORT:-18080}"
DIRECT_PORT="${BENCH_DIRECT_PORT:-18081}"
PROXY_PORT="${BENCH_PROXY_PORT:-18082}"
COLD_N="${BENCH_COLD_ITERATIONS:-10}"
ASYNC_SECS="${BENCH_ASYNC_SECONDS:-10}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/shardless-compare.XXXXXX")"
PIDS=()

# shellcheck source=loadtest/bench/node.sh
. "$BENCH/node.sh"
cleanup() {
  stop_node
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

need wrk wrk nginx nginx hey hey jq jq curl curl python3 python3 bwrap bubblewrap
if [ ! -f "$ROOT/cluster/target/launcher.stamp" ]; then
  "$ROOT/shardless" build # the first build downloads Maven and the dependencies: minutes
fi

for port in "$GW_PORT" "$DIRECT_PORT" "$PROXY_PORT"; do port_free "$port"; done
DIRECT="http://127.0.0.1:$DIRECT_PORT/"
PROXY="http://127.0.0.1:$PROXY_PORT/"
GATEWAY="http://127.0.0.1:$GW_PORT/function/bench-nginx"

# (a) The function itself, on a known port.
PORT="$DIRECT_PORT" sh "$BENCH/nginx-function.sh" >"$WORK/direct.log" 2>&1 &
PIDS+=($!)

# (b) Debian's nginx as a reverse proxy to it: HTTP/1.1 keepalive upstream, as one would run it.
UPSTREAM="127.0.0.1:$DIRECT_PORT" NGINX_WORKERS="${BENCH_PROXY_WORKERS:-auto}" PORT="$PROXY_PORT" \
  sh "$BENCH/nginx-function.sh" >"$WORK/proxy.log" 2>&1 &
PIDS+=($!)

# (c) The gateway: a node with the same function deployed as one pinned replica.
start_node "$GW_PORT" "$WORK/data" "$WORK/node.log" \
  SHARDLESS_JAVA_OPTS="${BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xms2g -Xmx2g}"
deploy_nginx_function "http://127.0.0.1:$GW_PORT" bench-nginx
for url in "$DIRECT" "$PROXY" "$GATEWAY"; do wait_ok "$url"; done

# Warm-up: JIT, connection pools, nginx's upstream connections.
wrk_measure "$GATEWAY" 2 "$CONNS" 5 >/dev/null
wrk_measure "$PROXY" 2 "$CONNS" 2 >/dev/null
wrk_measure "$DIRECT" 2 "$CONNS" 2 >/dev/null

# Interleaved rounds; per case the round with the highest throughput is kept.
declare -A best
for _ in $(seq 1 "$ROUNDS"); do
  for c in 1 "$CONNS"; do
    t=$([ "$c" = 1 ] && echo 1 || echo 2)
    for target in direct proxy gateway; do
      case $target in direct) url=$DIRECT ;; proxy) url=$PROXY ;; gateway) url=$GATEWAY ;; esac
      read -r rps p50 p99 bad < <(wrk_measure "$url" "$t" "$c" "$DURATION")
      [ "$bad" = 0 ] || echo "warning: $target with $c connections: $bad non-2xx answers" >&2
      prev="${best[$target/$c]:-0 0 0}"
      if awk -v a="$rps" -v b="${prev%% *}" 'BEGIN { exit !(a > b) }'; then
        best[$target/$c]="$rps $p50 $p99"
      fi
    done
  done
done

# hey at a fixed rate: HALF requests/s spread over CONNS workers; prints "req/s p50_ms p99_ms errors".
hey_at() { # url rate seconds
  hey -z "${3}s" -c "$CONNS" -q "$(awk -v r="$2" -v c="$CONNS" 'BEGIN { printf "%.2f", r / c }')" \
    "$1" 2>/dev/null | awk '
    /Requests\/sec/ { rps=$2 }
    $1=="50%" && $2=="in" { p50=$3*1000 }
    $1=="99%" && $2=="in" { p99=$3*1000 }
    /Status code distribution/ { section="status" }
    /Error distribution/ { section="error" }
    /^ *\[[0-9]+\]/ {
      n=$1; gsub(/[^0-9]/, "", n)
      if (section == "status" && $1 != "[200]") bad+=$2
      if (section == "error") bad+=n
    }
    END { printf "%.0f %.3f %.3f %d\n", rps, p50, p99, bad+0 }'
}
# The gateway's own count of answers by status (Kamon publishes every 10 s by default).
sleep 11
node_metrics "$WORK/node.log" | grep '^gateway_function_invocation_total{function_name="bench-nginx' |
  grep -v 'code="200"' >"$WORK/non200.txt" || true
[ -s "$WORK/non200.txt" ] && { echo "the gateway answered other than 200 (its metrics):"; cat "$WORK/non200.txt"; } >&2

read -r gmax _ _ <<<"${best[gateway/$CONNS]}"
HALF=$((gmax / 2))
hey_at "$GATEWAY" "$HALF" 3 >/dev/null # warm-up of hey's own connections
read -r hd_rps hd_p50 hd_p99 hd_bad < <(hey_at "$DIRECT" "$HALF" "$DURATION")
read -r hg_rps hg_p50 hg_p99 hg_bad < <(hey_at "$GATEWAY" "$HALF" "$DURATION")

stop_node
wait "$NODE_PID" 2>/dev/null || true
NODE_PID=""
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
wait 2>/dev/null || true
PIDS=()

# Scale from zero and async accepts: their own benchmarks, each with its own node.
cold_gw="- -"
cold_over="- -"
if [ "$COLD_N" -gt 0 ]; then
  BENCH_GATEWAY_PORT=$GW_PORT "$BENCH/scale-from-zero.sh" "$COLD_N" | tee "$WORK/cold.txt" ||
    echo "scale-from-zero.sh failed; its cells stay empty" >&2
  cold_gw=$(awk '/first byte via gateway/ { print $(NF-1), $NF }' "$WORK/cold.txt")
  cold_over=$(awk '/platform overhead/ { print $(NF-1), $NF }' "$WORK/cold.txt")
fi
async_only="- - -"
async_one="- - - -"
if [ "$ASYNC_SECS" -gt 0 ]; then
  BENCH_GATEWAY_PORT=$GW_PORT "$BENCH/async-accept.sh" "$ASYNC_SECS" h2 | tee "$WORK/async.txt" ||
    echo "async-accept.sh failed; its cells stay empty" >&2
  async_only=$(awk '/^h2 .*accept only/ { print $(NF-5), $(NF-4), $(NF-3) }' "$WORK/async.txt")
  async_one=$(awk '/^h2 .*1 function / { print $(NF-5), $(NF-4), $(NF-3), $NF }' "$WORK/async.txt")
fi

echo
echo "Shardless vs nginx: wrk ${DURATION}s per run, best of $ROUNDS interleaved rounds; $(nproc) cores,"
echo "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo); wrk, nginx proxy, node and function on 127.0.0.1"
printf '%-34s %10s %10s %10s\n' case "req/s" "p50 ms" "p99 ms"
for c in 1 "$CONNS"; do
  for target in direct proxy gateway; do
    read -r rps p50 p99 <<<"${best[$target/$c]}"
    case $target in direct) label="(a) direct" ;; proxy) label="(b) nginx reverse proxy" ;; gateway) label="(c) Shardless gateway" ;; esac
    printf '%-34s %10s %10s %10s\n' "$label, $c conn" "$rps" "$p50" "$p99"
  done
done
for c in 1 "$CONNS"; do
  read -r d _ <<<"${best[direct/$c]}"
  read -r p _ <<<"${best[proxy/$c]}"
  read -r g _ <<<"${best[gateway/$c]}"
  awk -v c="$c" -v d="$d" -v p="$p" -v g="$g" 'BEGIN {
    printf "%-34s gateway/nginx %.2f   gateway/direct %.2f   nginx/direct %.2f\n", "throughput ratios, " c " conn", g/p, g/d, p/d }'
done
printf '%-34s %10s %10s %10s\n' "at $HALF req/s (hey, $CONNS conns)" "req/s" "p50 ms" "p99 ms"
printf '%-34s %10s %10s %10s\n' "  (a) direct" "$hd_rps" "$hd_p50" "$hd_p99"
printf '%-34s %10s %10s %10s\n' "  (c) Shardless gateway" "$hg_rps" "$hg_p50" "$hg_p99"
[ "$hd_bad$hg_bad" = 00 ] || echo "warning: non-200 answers under hey: direct $hd_bad, gateway $hg_bad" >&2
awk -v a="$hd_p99" -v b="$hg_p99" -v a5="$hd_p50" -v b5="$hg_p50" 'BEGIN {
  printf "%-34s p50 %.3f ms   p99 %.3f ms\n", "  gateway added latency", b5-a5, b-a }'
# A sub-benchmark that failed or printed nothing leaves "-" in its cells.
[ -n "$cold_gw" ] || cold_gw="- -"
[ -n "$cold_over" ] || cold_over="- -"
[ -n "$async_only" ] || async_only="- - -"
[ -n "$async_one" ] || async_one="- - - -"
read -r c50 c99 <<<"$cold_gw"
read -r o50 o99 <<<"$cold_over"
printf '%-34s %10s %10s %10s\n' "scale from zero ($COLD_N runs), ms" "" "p50" "p99"
printf '%-34s %10s %10s %10s\n' "  first byte via gateway" "" "$c50" "$c99"
printf '%-34s %10s %10s %10s\n' "  platform overhead" "" "$o50" "$o99"
read -r ao_rps ao_p50 ao_p99 <<<"$async_only"
read -r a1_rps a1_p50 a1_p99 a1_cps <<<"$async_one"
printf '%-34s %10s %10s %10s %14s\n' "async accepts (wrk 64 conns, H2)" "accepts/s" "p50 ms" "p99 ms" "completions/s"
printf '%-34s %10s %10s %10s %14s\n' "  1 function, accept only" "$ao_rps" "$ao_p50" "$ao_p99" "-"
printf '%-34s %10s %10s %10s %14s\n' "  1 function, jobs running" "$a1_rps" "$a1_p50" "$a1_p99" "$a1_cps"
read -r g _ <<<"${best[gateway/$CONNS]}"
read -r p _ <<<"${best[proxy/$CONNS]}"
awk -v g="$g" -v p="$p" -v a="$hd_p99" -v b="$hg_p99" 'BEGIN {
  printf "goal: gateway >= 0.6x nginx proxy throughput: %.2fx, %s\n", g/p, (g/p >= 0.6 ? "met" : "NOT met")
  printf "goal: p99 added latency < 2 ms at half max throughput: %.3f ms, %s\n", b-a, (b-a < 2 ? "met" : "NOT met") }'
