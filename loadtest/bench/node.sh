# Sourced by the benchmarks: one Shardless node per benchmark, started the same way everywhere,
# and the tools they need. Needs ROOT (the repository). Call stop_node from the benchmark's EXIT
# trap.

# need COMMAND PACKAGE [COMMAND PACKAGE ...]: installs the Debian PACKAGEs (apt-get update, then
# one apt-get install, through sudo unless root) whose COMMAND is not on PATH.
need() {
  local missing=()
  while [ $# -ge 2 ]; do
    command -v "$1" >/dev/null 2>&1 || missing+=("$2")
    shift 2
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing ${missing[*]} (Debian packages)..." >&2
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
}

# port_free PORT: fails, saying so, when something already listens on 127.0.0.1:PORT. A benchmark
# must not measure (or load) a process that another benchmark left or is running there.
port_free() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    echo "port $1 is already in use: set the benchmark's BENCH_*_PORT variables to free ports" >&2
    return 1
  fi
}

# start_node PORT DATA_DIR LOG [VAR=VALUE ...]: starts a node on 127.0.0.1:PORT (which must be
# free) with extra settings, waits until it answers (bounded: the first start may build for
# minutes), and sets NODE_PID. The launcher execs the node's JVM, so NODE_PID is the JVM itself.
# Its metrics endpoint takes any free port (node_metrics LOG finds it). Nodes run without the
# Kanela agent (its Pekko metrics cost 10-20% CPU per call, docs/performance.md) unless
# SHARDLESS_KAMON_AGENT=true is in the environment or among the settings. On a machine so loaded
# that the node gives up during start-up ("cannot start"), it tries again, three attempts in all.
start_node() {
  local port=$1 data=$2 log=$3 attempt
  shift 3
  port_free "$port" || return 1
  for attempt in 1 2 3; do
    env SHARDLESS_HTTP_PORT="$port" SHARDLESS_HTTP_HOST=127.0.0.1 SHARDLESS_DATA_DIR="$data" \
      SHARDLESS_EXAMPLES=false SHARDLESS_ADMIN_PASSWORD=bench SHARDLESS_LOG_LEVEL=WARN \
      SHARDLESS_METRICS_PORT=0 SHARDLESS_KAMON_AGENT="${SHARDLESS_KAMON_AGENT:-false}" \
      "$@" "$ROOT/shardless" run >"$log" 2>&1 &
    NODE_PID=$!
    for _ in $(seq 1 3000); do
      curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
      kill -0 "$NODE_PID" 2>/dev/null || break
      sleep 0.2
    done
    grep -q "cannot start" "$log" && [ "$attempt" -lt 3 ] || break
    echo "the node gave up during start-up ($(grep -m1 'cannot start' "$log" | cut -c1-160)); trying again" >&2
    cp "$log" "$log.$attempt"
  done
  echo "the node did not start; the end of its log:" >&2
  tail -20 "$log" >&2
  return 1
}

# node_metrics LOG: the node's Prometheus text (docs/observability.md), from the endpoint that its
# start-up lines in LOG name.
node_metrics() {
  curl -fs "$(sed -n 's/^ *metrics: //p' "$1" | head -1)"
}

# stop_node: stops the node if one was started; harmless when it is already gone.
stop_node() {
  if [ -n "${NODE_PID:-}" ]; then kill "$NODE_PID" 2>/dev/null || true; fi
}

# deploy_nginx_function GATEWAY NAME [LABEL=VALUE ...]: deploys the trivial nginx function
# (nginx-function.sh) with these labels; without any, as one pinned replica.
deploy_nginx_function() {
  local gw=$1 name=$2 labels="" kv
  shift 2
  [ $# -gt 0 ] || set -- com.openfaas.scale.min=1 com.openfaas.scale.max=1
  for kv in "$@"; do labels="$labels${labels:+, }\"${kv%%=*}\": \"${kv#*=}\""; done
  curl -fs -u admin:bench -X POST "$gw/system/functions" -d "{
    \"service\": \"$name\", \"image\": \"bench/nginx\",
    \"envProcess\": \"sh $ROOT/loadtest/bench/nginx-function.sh\",
    \"envVars\": {\"mode\": \"http\"}, \"labels\": {$labels}}" >/dev/null
}

# wait_ok URL: waits (bounded, 60 s) until URL answers 200.
wait_ok() {
  for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ] && return 0
    sleep 0.2
  done
  echo "$1 did not answer 200 within 60 s" >&2
  return 1
}

# wrk_measure URL THREADS CONNECTIONS SECONDS [wrk options ...]: runs wrk and prints
# "req/s p50_ms p99_ms non2xx". With WRK_RAW=FILE, wrk's own output is kept there too.
wrk_measure() {
  local url=$1 threads=$2 conns=$3 secs=$4
  shift 4
  wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "$@" "$url" 2>/dev/null |
    tee "${WRK_RAW:-/dev/null}" | awk '
    function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
    /Requests\/sec/ { rps=$2 }
    /Non-2xx/ { bad=$NF }
    $1=="50%" { p50=ms($2) }
    $1=="99%" { p99=ms($2) }
    END { printf "%.0f %.3f %.3f %d\n", rps, p50, p99, bad+0 }'
}
