package dev.shardless.cluster.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.shardless.scheduler.model.FunctionId;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LiveStatsTest {
  private static final FunctionId HELLO = new FunctionId("openfaas-fn", "hello");
  private static final long MS = 1_000_000L;

  @ParameterizedTest
  @CsvSource({
    // micros, bucket, low end of the bucket's range (µs), high end (exclusive)
    "0, 0, 0, 1",
    "3, 3, 3, 4",
    "4, 4, 4, 5",
    "7, 7, 7, 8",
    "8, 8, 8, 10",
    "4000, 43, 3584, 4096",
    "100000, 62, 98304, 114688",
  })
  void aLatencyFallsInABucketWhoseRangeHoldsIt(long micros, int bucket, long low, long high) {
    assertThat(LiveStats.bucket(micros)).isEqualTo(bucket);
    double middle = LiveStats.middle(bucket);
    assertThat(micros).isBetween(low, high - 1);
    assertThat(middle).isBetween((double) low, (double) high);
    assertThat(Math.abs(middle - micros) / Math.max(1, micros)).isLessThanOrEqualTo(0.125);
  }

  @Test
  void hugeLatenciesLandInTheLastBucket() {
    assertThat(LiveStats.bucket(Long.MAX_VALUE / 1000)).isEqualTo(LiveStats.BUCKETS - 1);
  }

  @Test
  void theDocumentedExample() {
    LiveStats stats = new LiveStats();
    for (long second = 100; second < 110; second++) {
      for (int i = 0; i < 30; i++) {
        int status = i < 3 ? 503 : 200;
        long nanos = i == 29 ? 100 * MS : 4 * MS;
        stats.completed(HELLO, status, nanos, second);
      }
    }
    LiveStats.Snapshot s = stats.snapshot(HELLO, 110);
    assertThat(s.rps()).isEqualTo(30.0);
    assertThat(s.errorRate()).isCloseTo(0.1, within(1e-9));
    assertThat(s.p50Millis()).isCloseTo(3.84, within(1e-9));
    assertThat(s.p99Millis()).isCloseTo(100, within(12.5));
  }

  @Test
  void theCurrentSecondAndSecondsOlderThanTheWindowDoNotCount() {
    LiveStats stats = new LiveStats();
    stats.completed(HELLO, 200, MS, 95); // 15 s before "now" = 110: gone
    stats.completed(HELLO, 200, MS, 99); // 11 s before: just outside the 10 s window
    stats.completed(HELLO, 200, MS, 100); // 10 s before: inside
    stats.completed(HELLO, 200, MS, 109); // 1 s before: inside
    assertThat(stats.snapshot(HELLO, 110).rps()).isEqualTo(0.2);
    assertThat(stats.snapshot(HELLO, 109).rps()).as("99 and 100; 109 is under way").isEqualTo(0.2);
    assertThat(stats.snapshot(HELLO, 111).rps()).as("100 has left the window").isEqualTo(0.1);
  }

  @Test
  void aSlotReusedForALaterSecondStartsAtZero() {
    LiveStats stats = new LiveStats();
    for (int i = 0; i < 50; i++) {
      stats.completed(HELLO, 500, MS, 100);
    }
    stats.completed(HELLO, 200, MS, 100 + LiveStats.WINDOW_SECONDS + 1); // same slot, later second
    LiveStats.Snapshot s = stats.snapshot(HELLO, 100 + LiveStats.WINDOW_SECONDS + 2);
    assertThat(s.rps()).isEqualTo(0.1);
    assertThat(s.errorRate()).isZero();
  }

  @Test
  void aFunctionWithoutCallsAndAForgottenOneReportNothing() {
    LiveStats stats = new LiveStats();
    assertThat(stats.snapshot(HELLO, 5)).isEqualTo(LiveStats.Snapshot.NONE);
    stats.completed(HELLO, 200, MS, 4);
    stats.retainOnly(Set.of(), "other-namespace");
    assertThat(stats.snapshot(HELLO, 5).rps()).isPositive();
    stats.retainOnly(Set.of(), "openfaas-fn");
    assertThat(stats.snapshot(HELLO, 5)).isEqualTo(LiveStats.Snapshot.NONE);
  }
}
