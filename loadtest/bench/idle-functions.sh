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
# shellcheck source=loadtest/bench/node.sh
. "$ROOT/loadtest/bench/node.sh"
trap 'stop_node; wait 2>/dev/null || true' EXIT
GW="http://127.0.0.1:$PORT_GW"

start_node "$PORT_GW" "$WORK/data" "$WORK/node.log"
JVM=$NODE_PID

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
