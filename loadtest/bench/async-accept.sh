#!/usr/bin/env bash
# Async benchmark (issue 4): durable accepts per second and accept latency (wrk, 64 connections)
# for one function and for 100 functions, then end-to-end completions per second of a trivial
# function (nginx answering 200 from memory) for the jobs accepted. Runs on the embedded H2 journal
# and on a real Cassandra started here by `./shardless cassandra`. Everything listens on 127.0.0.1
# and stops by itself.
#
# usage: loadtest/bench/async-accept.sh [seconds-per-run (default 15)] [backends (default "h2 cassandra")]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DURATION="${1:-15}"
BACKENDS="${2:-h2 cassandra}"
GW_PORT="${BENCH_GATEWAY_PORT:-18090}"
CQL_PORT="${BENCH_CASSANDRA_PORT:-19142}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/shardless-async-bench.XXXXXX")"
CASSANDRA_PID=""
GW="http://127.0.0.1:$GW_PORT"

# shellcheck source=loadtest/bench/node.sh
. "$ROOT/loadtest/bench/node.sh"
cleanup() {
  stop_node
  if [ -n "$CASSANDRA_PID" ]; then kill "$CASSANDRA_PID" 2>/dev/null || true; fi
  wait 2>/dev/null || true
}
trap cleanup EXIT

need wrk wrk nginx nginx jq jq curl curl

# A function whose one job at a time sleeps for minutes: its queue only accepts (accept cost alone).
deploy_parked() { # name
  curl -fs -u admin:bench -X POST "$GW/system/functions" -d "{
    \"service\": \"$1\", \"image\": \"bench/sleep\", \"envProcess\": \"sleep 600\",
    \"labels\": {\"com.openfaas.scale.min\": \"1\", \"com.openfaas.scale.max\": \"1\",
                 \"shardless.async.max-concurrency\": \"1\"}}" >/dev/null
}

deploy() { # name
  deploy_nginx_function "$GW" "$1"
}

# Sums a field of the queue status over functions <prefix>-0 .. <prefix>-(n-1).
queue_sum() { # prefix n field
  local total=0 i v
  for i in $(seq 0 $(($2 - 1))); do
    v=$(curl -fs -u admin:bench "$GW/system/async/$1-$i" | jq -r ".$3")
    total=$((total + v))
  done
  echo "$total"
}

# Runs wrk; prints "accepts/s p50_ms p99_ms non2xx".
accept_run() { # prefix n seconds
  BENCH_PREFIX=$1 BENCH_FUNCTIONS=$2 wrk_measure "$GW" 2 64 "$3" -s "$ROOT/loadtest/bench/async-post.lua"
}

# Waits until every accepted job of the functions has finished; prints "jobs seconds".
drain() { # prefix n start_epoch_ms
  local accepted done_ now
  for _ in $(seq 1 3000); do
    accepted=$(queue_sum "$1" "$2" accepted)
    done_=$(queue_sum "$1" "$2" succeeded)
    if [ "$done_" -ge "$accepted" ]; then
      now=$(date +%s%3N)
      awk -v j="$done_" -v s="$3" -v e="$now" 'BEGIN { printf "%d %.1f\n", j, (e-s)/1000 }'
      return
    fi
    sleep 0.2
  done
  echo "0 0"
}

declare -a RESULTS
for backend in $BACKENDS; do
  extra=()
  if [ "$backend" = cassandra ]; then
    SHARDLESS_CASSANDRA_PORT=$CQL_PORT SHARDLESS_CASSANDRA_DATA_DIR="$WORK/cassandra" \
      "$ROOT/shardless" cassandra >"$WORK/cassandra.log" 2>&1 &
    CASSANDRA_PID=$!
    for _ in $(seq 1 3000); do
      grep -q 'Cassandra ready' "$WORK/cassandra.log" && break
      kill -0 "$CASSANDRA_PID" 2>/dev/null || { tail -20 "$WORK/cassandra.log" >&2; exit 1; }
      sleep 0.2
    done
    extra=(SHARDLESS_PERSISTENCE=cassandra SHARDLESS_CASSANDRA_CONTACT_POINTS=127.0.0.1:$CQL_PORT)
  fi
  start_node "$GW_PORT" "$WORK/data-$backend" "$WORK/node-$backend.log" \
    SHARDLESS_JAVA_OPTS="${BENCH_JAVA_OPTS:--XX:+UseParallelGC -Xms2g -Xmx2g}" "${extra[@]}"
  deploy warm-0
  for i in $(seq 0 99); do deploy "bench-many-$i"; done
  deploy bench-one-0
  deploy_parked bench-parked-0
  # Warm-up: JIT, the journal's connections, the queues' recovery.
  accept_run warm 1 5 >/dev/null
  accept_run bench-many 100 3 >/dev/null
  drain warm 1 0 >/dev/null
  drain bench-many 100 0 >/dev/null
  base_one=$(queue_sum bench-one 1 accepted)
  base_many=$(queue_sum bench-many 100 accepted)

  read -r rps p50 p99 bad < <(accept_run bench-parked 1 "$DURATION")
  RESULTS+=("$backend|1 (accept only)|$rps|$p50|$p99|$bad|-|0")

  start=$(date +%s%3N)
  read -r rps p50 p99 bad < <(accept_run bench-one 1 "$DURATION")
  read -r jobs secs < <(drain bench-one 1 "$start")
  RESULTS+=("$backend|1 function|$rps|$p50|$p99|$bad|$((jobs - base_one))|$secs")

  start=$(date +%s%3N)
  read -r rps p50 p99 bad < <(accept_run bench-many 100 "$DURATION")
  read -r jobs secs < <(drain bench-many 100 "$start")
  RESULTS+=("$backend|100 functions|$rps|$p50|$p99|$bad|$((jobs - base_many))|$secs")
  stop_node
  wait "$NODE_PID" 2>/dev/null || true
  NODE_PID=""
  if [ -n "$CASSANDRA_PID" ]; then kill "$CASSANDRA_PID"; wait "$CASSANDRA_PID" 2>/dev/null || true; CASSANDRA_PID=""; fi
done

echo
echo "Async accepts: wrk -t2 -c64 ${DURATION}s per run, $(nproc) cores; then every accepted job run on a"
echo "trivial function (nginx, 1 replica) and timed from the first accept to the last completion."
echo "\"accept only\": the function runs one job for minutes, so the queue does nothing but accept."
printf '%-10s %-14s %10s %10s %10s %8s %10s %14s\n' backend functions "accepts/s" "p50 ms" "p99 ms" "non-202" jobs "completions/s"
for r in "${RESULTS[@]}"; do
  IFS='|' read -r b f rps p50 p99 bad jobs secs <<<"$r"
  cps=$(awk -v j="$jobs" -v s="$secs" 'BEGIN { if (s > 0) printf "%.0f", j/s; else print "-" }')
  printf '%-10s %-14s %10s %10s %10s %8s %10s %14s\n' "$b" "$f" "$rps" "$p50" "$p99" "$bad" "$jobs" "$cps"
done
