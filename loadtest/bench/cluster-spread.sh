#!/usr/bin/env bash
# Cluster benchmark (issue 5): a trivial HTTP-mode function (nginx answering 200 from memory, one
# pinned replica) on a cluster of three nodes on 127.0.0.1 with the development Cassandra.
# Measures, with wrk:
#   - sequential calls (1 connection) through each node: the node hosting the function's entity
#     (and replica) leases locally, the two others ask the entity across the cluster, so the
#     difference of their p50 is what a remote entity costs per call;
#   - 32 connections through one node, then the same 32 connections spread over the three nodes
#     (three wrk processes at once, throughputs summed), then 3 x 2 connections (a lighter load
#     that leaves the cores some room, for the tail).
# SHARDLESS_HOLD_SLOTS=off|remote|all (inherited by the nodes) compares held slots with one ask
# per call.
# Everything shares this machine's cores with wrk and nginx; see docs/performance.md.
#
# usage: loadtest/bench/cluster-spread.sh [seconds-per-run (default 15)] [rounds (default 2)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DURATION="${1:-15}"
ROUNDS="${2:-2}"
BASE="${BENCH_BASE_PORT:-18180}"
CQL_PORT="${BENCH_CASSANDRA_PORT:-19142}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/shardless-cluster-bench.XXXXXX")"
PIDS=()
NODES=()

cleanup() {
  for p in "${NODES[@]}" "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
# shellcheck source=loadtest/bench/node.sh
. "$ROOT/loadtest/bench/node.sh"

need wrk wrk
need nginx nginx

echo "starting the development Cassandra on 127.0.0.1:$CQL_PORT..." >&2
SHARDLESS_CASSANDRA_PORT="$CQL_PORT" SHARDLESS_CASSANDRA_DATA_DIR="$WORK/cassandra" \
  "$ROOT/shardless" cassandra >"$WORK/cassandra.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 600); do
  grep -q 'Cassandra ready' "$WORK/cassandra.log" && break
  sleep 0.2
done
grep -q 'Cassandra ready' "$WORK/cassandra.log" || { tail -20 "$WORK/cassandra.log" >&2; exit 1; }

"$ROOT/shardless" build
SEEDS="127.0.0.1:$((BASE + 11)),127.0.0.1:$((BASE + 12)),127.0.0.1:$((BASE + 13))"
for i in 1 2 3; do
  start_node "$((BASE + i))" "$WORK/n$i" "$WORK/node$i.log" \
    SHARDLESS_JAVA_OPTS="-XX:+UseParallelGC -Xms1g -Xmx1g" \
    SHARDLESS_PERSISTENCE=cassandra SHARDLESS_CASSANDRA_CONTACT_POINTS="127.0.0.1:$CQL_PORT" \
    SHARDLESS_SEED_NODES="$SEEDS" SHARDLESS_CLUSTER_PORT="$((BASE + 10 + i))" \
    SHARDLESS_MANAGEMENT_PORT="$((BASE + 20 + i))" SHARDLESS_METRICS_PORT="$((BASE + 30 + i))" &
  sleep 1
done
wait_up() {
  for _ in $(seq 1 900); do
    local ok=0 i
    for i in 1 2 3; do
      curl -fs "http://127.0.0.1:$((BASE + i))/healthz" >/dev/null 2>&1 && ok=$((ok + 1))
    done
    [ $ok = 3 ] && return 0
    sleep 0.2
  done
  echo "the nodes did not start; see $WORK/node*.log" >&2
  exit 1
}
wait_up
# The JVMs' pids (the launcher execs the JVM), found by their HTTP ports.
mapfile -t JVMS < <(for i in 1 2 3; do
  ss -ltnp "sport = :$((BASE + i))" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1
done)
NODES=("${JVMS[@]}")

curl -fs -u admin:bench -X POST "http://127.0.0.1:$((BASE + 1))/system/functions" -d "{
  \"service\": \"bench-nginx\", \"image\": \"bench/nginx\",
  \"envProcess\": \"sh $ROOT/loadtest/bench/nginx-function.sh\",
  \"envVars\": {\"mode\": \"http\"},
  \"labels\": {\"com.openfaas.scale.min\": \"1\", \"com.openfaas.scale.max\": \"1\"}}" >/dev/null
for i in 1 2 3; do
  for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$((BASE + i))/function/bench-nginx")" = 200 ] && break
    sleep 0.2
  done
done

# The node whose JVM is an ancestor of the function's nginx: it hosts the entity.
HOME_NODE=0
for p in $(pgrep -f 'nginx: master' || true); do
  q=$p
  while [ "$q" -gt 1 ]; do
    for i in 1 2 3; do [ "$q" = "${JVMS[$((i - 1))]}" ] && HOME_NODE=$i; done
    q=$(ps -o ppid= -p "$q" | tr -d ' ')
    [ -n "$q" ] || break
  done
done
echo "the function's entity and replica live on node $HOME_NODE" >&2

url() { echo "http://127.0.0.1:$((BASE + $1))/function/bench-nginx"; }

# Warm-up: JIT and connection pools on every node.
for i in 1 2 3; do wrk_measure "$(url $i)" 2 32 5 >/dev/null; done

declare -A best
keep() { # keep KEY "rps p50 p99": the best throughput of the rounds
  local prev="${best[$1]:-0 0 0}"
  if awk -v a="${2%% *}" -v b="${prev%% *}" 'BEGIN{exit !(a>b)}'; then best[$1]="$2"; fi
}
spread() { # spread CONNECTIONS: one wrk per node at once; "rps(sum) p50(max) p99(max)"
  local WRKS=() i
  for i in 1 2 3; do
    wrk_measure "$(url $i)" 1 "$1" "$DURATION" >"$WORK/spread$i" &
    WRKS+=($!)
  done
  wait "${WRKS[@]}"
  cat "$WORK"/spread1 "$WORK"/spread2 "$WORK"/spread3 | awk '
    { r += $1; if ($2 > p50) p50 = $2; if ($3 > p99) p99 = $3 }
    END { printf "%.0f %.3f %.3f\n", r, p50, p99 }'
}
for _ in $(seq 1 "$ROUNDS"); do
  for i in 1 2 3; do keep "seq/$i" "$(wrk_measure "$(url $i)" 1 1 "$DURATION")"; done
  keep "c32/one" "$(wrk_measure "$(url 1)" 2 32 "$DURATION")"
  keep "c32/three" "$(spread 11)"
  keep "c6/three" "$(spread 2)"
done

echo
echo "Cluster of 3 nodes, wrk ${DURATION}s per run, best of $ROUNDS rounds, $(nproc) cores;" \
  "entity on node $HOME_NODE"
printf '%-40s %10s %10s %10s\n' case "req/s" "p50 ms" "p99 ms"
for i in 1 2 3; do
  where=$([ "$i" = "$HOME_NODE" ] && echo "entity local" || echo "entity remote")
  read -r rps p50 p99 <<<"${best[seq/$i]}"
  printf '%-40s %10s %10s %10s\n' "node $i, 1 connection ($where)" "$rps" "$p50" "$p99"
done
read -r rps p50 p99 <<<"${best[c32/one]}"
printf '%-40s %10s %10s %10s\n' "32 connections through node 1" "$rps" "$p50" "$p99"
read -r rps p50 p99 <<<"${best[c32/three]}"
printf '%-40s %10s %10s %10s\n' "3 x 11 connections, one per node" "$rps" "$p50" "$p99"
read -r rps p50 p99 <<<"${best[c6/three]}"
printf '%-40s %10s %10s %10s\n' "3 x 2 connections, one per node" "$rps" "$p50" "$p99"
