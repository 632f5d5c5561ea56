#!/usr/bin/env bash
# Scale-from-zero benchmark (issue 3): time to first byte of the first response for a Python
# HTTP-mode function at zero replicas, against the same process's own start-to-listening time
# measured outside the platform. Prints p50/p99 of both and of the platform's overhead.
#
# usage: loadtest/bench/scale-from-zero.sh [iterations (default 30)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N="${1:-30}"
PORT_GW="${BENCH_GATEWAY_PORT:-18080}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/shardless-s0.XXXXXX")"
# shellcheck source=loadtest/bench/node.sh
. "$ROOT/loadtest/bench/node.sh"
trap 'stop_node; wait 2>/dev/null || true' EXIT
need curl curl python3 python3
FN="$ROOT/examples/python-hello/handler.py"
# The real interpreter, for the function and for the direct baseline alike: "python3" on PATH may
# be a version-manager shim (pyenv's costs about 80 ms per start on the reference machine) that a
# Python parent process would bypass, skewing the comparison.
PY="$(python3 -c 'import sys; print(sys.executable)')"
AUTH=(-u admin:bench)
GW="http://127.0.0.1:$PORT_GW"

start_node "$PORT_GW" "$WORK/data" "$WORK/node.log"
curl -fs "${AUTH[@]}" "$GW/system/functions" -d "{\"service\":\"cold\",\"image\":\"bench/cold\",
  \"envProcess\":\"$PY $FN\",\"envVars\":{\"mode\":\"http\"},
  \"labels\":{\"com.openfaas.scale.min\":\"0\",\"com.openfaas.scale.max\":\"1\"}}" >/dev/null

replicas() {
  curl -fs "${AUTH[@]}" "$GW/system/function/cold" | python3 -c 'import json,sys; print(json.load(sys.stdin)["availableReplicas"])'
}

# The process alone: spawn it and poll its port every millisecond until it accepts.
direct_ms() {
  python3 - "$PY" "$FN" <<'PY'
import os, socket, subprocess, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
t0 = time.perf_counter()
p = subprocess.Popen([sys.argv[1], sys.argv[2]], env=dict(os.environ, PORT=str(port)))
while True:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.05).close(); break
    except OSError:
        time.sleep(0.001)
print("%.1f" % ((time.perf_counter() - t0) * 1000))
p.kill(); p.wait()
PY
}

: >"$WORK/cold.txt"; : >"$WORK/direct.txt"
for i in $(seq 1 "$N"); do
  curl -fs "${AUTH[@]}" "$GW/system/scale-function/cold" -d '{"replicas":0}' >/dev/null
  until [ "$(replicas)" = 0 ]; do sleep 0.1; done
  sleep 0.5   # let the stopped replica's port and process group go
  curl -s -o /dev/null -w '%{time_starttransfer}\n' "$GW/function/cold" \
    | awk '{printf "%.1f\n", $1*1000}' >>"$WORK/cold.txt"
  direct_ms >>"$WORK/direct.txt"
done

python3 - "$WORK/cold.txt" "$WORK/direct.txt" <<'PY'
import sys, statistics
cold = [float(x) for x in open(sys.argv[1])]
direct = [float(x) for x in open(sys.argv[2])]
over = [c - d for c, d in zip(cold, direct)]
def pct(v, p):
    v = sorted(v); k = max(0, min(len(v) - 1, int(round(p / 100 * len(v) + 0.5)) - 1)); return v[k]
print(f"scale from zero, {len(cold)} iterations (ms)")
print(f"{'':28}{'p50':>8}{'p99':>8}")
for name, v in (("first byte via gateway", cold), ("process start-to-listening", direct), ("platform overhead", over)):
    print(f"{name:28}{pct(v,50):8.1f}{pct(v,99):8.1f}")
PY
