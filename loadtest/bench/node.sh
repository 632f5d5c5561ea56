# Sourced by the benchmarks: one Shardless node per benchmark, started the same way everywhere,
# and the tools they need. Needs ROOT (the repository). Call stop_node from the benchmark's EXIT
# trap.

# need COMMAND PACKAGE: installs the Debian PACKAGE (apt-get, through sudo unless root) when
# COMMAND is not on PATH.
need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "installing $2 (Debian package)..." >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "$2" >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq "$2" >/dev/null; fi
}

# measure URL THREADS CONNECTIONS SECONDS: runs wrk and prints "req/s p50_ms p99_ms".
measure() {
  local url=$1 threads=$2 conns=$3 secs=$4
  wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "$url" 2>/dev/null | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { rps=$2 }
    $1=="50%" { p50=ms($2) }
    $1=="99%" { p99=ms($2) }
    END { printf "%.0f %.3f %.3f\n", rps, p50, p99 }'
}

# start_node PORT DATA_DIR LOG [VAR=VALUE ...]: starts a node on 127.0.0.1:PORT with extra
# settings, waits until it answers (bounded: the first start may build for minutes), and sets
# NODE_PID. The launcher execs the node's JVM, so NODE_PID is the JVM itself.
start_node() {
  local port=$1 data=$2 log=$3
  shift 3
  env SHARDLESS_HTTP_PORT="$port" SHARDLESS_HTTP_HOST=127.0.0.1 SHARDLESS_DATA_DIR="$data" \
    SHARDLESS_EXAMPLES=false SHARDLESS_ADMIN_PASSWORD=bench SHARDLESS_LOG_LEVEL=WARN "$@" \
    "$ROOT/shardless" run >"$log" 2>&1 &
  NODE_PID=$!
  for _ in $(seq 1 3000); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$NODE_PID" 2>/dev/null || break
    sleep 0.2
  done
  echo "the node did not start; the end of its log:" >&2
  tail -20 "$log" >&2
  return 1
}

# stop_node: stops the node if one was started; harmless when it is already gone.
stop_node() {
  if [ -n "${NODE_PID:-}" ]; then kill "$NODE_PID" 2>/dev/null || true; fi
}
