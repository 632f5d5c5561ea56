#!/usr/bin/env bash
# Async queue recovery benchmark: how long one function's job queue takes to recover 100,000
# finished jobs from the embedded H2 journal, replaying all 300,000 events, then from a snapshot.
# Runs persistence's QueueRecoveryBenchmark (not part of the build) offline from this checkout.
#
# usage: loadtest/bench/queue-recovery.sh [jobs (default 100000)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JOBS="${1:-100000}"
cd "$ROOT"
./mvnw -B -q -o test -pl scheduler,persistence -am \
  -Dtest=QueueRecoveryBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dshardless.bench=true -Dshardless.bench.jobs="$JOBS"
# Surefire keeps test output in its report files.
grep -h "H2 queue recovery" \
  persistence/target/surefire-reports/dev.shardless.persistence.async.QueueRecoveryBenchmark-output.txt
