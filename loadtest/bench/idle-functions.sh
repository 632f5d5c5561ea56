#!/usr/bin/env bash
# Idle cost benchmark (issue 3): deploy N functions that sit at zero replicas (min 0), then
# measure the node's CPU time over a quiet minute. Policy evaluation must not load the node.
#
# usage: loadtest/bench/idle-functions.sh [functions (default 10000)] [seconds (default 60)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N="${1:-10000}"
SECS="${2:-60}"
PORT_GW="${BENCH_GATEWAY_PORT:-18080}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/shardless-idle.XXXXXX")"
NODE_PID=""
# The launcher execs the node's JVM, so NODE_PID is the node itself. Every step may fail harmlessly
# (already gone): none may end the trap early under set -e.
cleanup() {
  if [ -n "$NODE_PID" ]; then kill "$NODE_PID" 2>/dev/null || true; fi
  wait 2>/dev/null || true
}
trap cleanup EXIT
GW="http://127.0.0.1:$PORT_GW"

# ./shardless run below builds first when a source changed.
SHARDLESS_HTTP_PORT="$PORT_GW" SHARDLESS_HTTP_HOST=127.0.0.1 SHARDLESS_DATA_DIR="$WORK/data" \
  SHARDLESS_EXAMPLES=false SHARDLESS_ADMIN_PASSWORD=bench SHARDLESS_LOG_LEVEL=WARN \
  "$ROOT/shardless" run >"$WORK/node.log" 2>&1 &
NODE_PID=$!
until curl -fs "$GW/healthz" >/dev/null 2>&1; do sleep 0.2; done
JVM=$(pgrep -f "dev.shardless.cluster.Main" | while read -r p; do
  grep -qz "SHARDLESS_DATA_DIR=$WORK/data" "/proc/$p/environ" 2>/dev/null && echo "$p"; done | head -1)

start=$(date +%s)
python3 - "$GW" "$N" <<'PY'
import base64, concurrent.futures, sys, urllib.request
gw, n = sys.argv[1], int(sys.argv[2])
auth = "Basic " + base64.b64encode(b"admin:bench").decode()
def deploy(i):
    body = ('{"service":"idle-%d","image":"bench/idle","envProcess":"python3 x.py",'
            '"envVars":{"mode":"http"},"labels":{"com.openfaas.scale.min":"0",'
            '"com.openfaas.scale.zero":"true"}}' % i).encode()
    req = urllib.request.Request(gw + "/system/functions", data=body, method="POST",
                                 headers={"Authorization": auth})
    return urllib.request.urlopen(req, timeout=60).status
with concurrent.futures.ThreadPoolExecutor(8) as ex:
    codes = list(ex.map(deploy, range(n)))
print(f"deployed {codes.count(202)} of {n}")
PY
echo "deploy took $(( $(date +%s) - start ))s"
sleep 10   # let deploy-time work (snapshots, entity start-up) settle

ticks() { awk '{print $14 + $15}' "/proc/$JVM/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks); sleep "$SECS"; t1=$(ticks)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$JVM/status")
awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$SECS" -v n="$N" -v rss="$rss" 'BEGIN {
  cpu = (b - a) / hz
  printf "%d idle functions: node CPU %.2f s over %d s = %.2f%% of one core; RSS %.0f MiB\n", n, cpu, s, 100 * cpu / s, rss / 1024 }'
