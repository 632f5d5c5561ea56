#!/usr/bin/env bash
# Async queue recovery benchmark: how long one function's job queue takes to recover 100,000
# finished jobs, replaying all 300,000 events, then from a snapshot; on the embedded H2 journal,
# then on a real Cassandra (started by the test harness through ./shardless cassandra).
# Runs persistence's QueueRecoveryBenchmark (not part of the build) offline from this checkout.
#
# usage: loadtest/bench/queue-recovery.sh [jobs (default 100000)] [backends (default "h2 cassandra")]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JOBS="${1:-100000}"
BACKENDS="${2:-h2 cassandra}"
cd "$ROOT"
for backend in $BACKENDS; do
  ./mvnw -B -q -o test -pl scheduler,persistence/cassandra-server,persistence \
    -Dtest=QueueRecoveryBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
    -Dshardless.bench=true -Dshardless.bench.jobs="$JOBS" -Dshardless.bench.backend="$backend"
  # Surefire keeps test output in its report files.
  grep -h "queue recovery" \
    persistence/target/surefire-reports/dev.shardless.persistence.async.QueueRecoveryBenchmark-output.txt
done
