package dev.shardless.scheduler.policy.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardless.scheduler.model.RetrySchedule;
import dev.shardless.scheduler.policy.retry.RetryDecision.Cause;
import dev.shardless.scheduler.policy.retry.RetryDecision.Final;
import dev.shardless.scheduler.policy.retry.RetryDecision.GiveUp;
import dev.shardless.scheduler.policy.retry.RetryDecision.Retry;
import dev.shardless.scheduler.policy.retry.RetryPolicy.Attempt;
import dev.shardless.scheduler.policy.retry.RetryPolicy.Ending;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryPolicyTest {
  static final RetrySchedule FIVE =
      new RetrySchedule(5, Duration.ofSeconds(1), Duration.ofSeconds(60));

  /** {@code final}, {@code retry}, {@code not-retryable} or {@code exhausted}. */
  static String kind(RetryDecision d) {
    if (d instanceof Final) {
      return "final";
    }
    if (d instanceof Retry) {
      return "retry";
    }
    return ((GiveUp) d).cause() == Cause.EXHAUSTED ? "exhausted" : "not-retryable";
  }

  @ParameterizedTest(name = "{0} {1} on attempt {2} -> {3}")
  @CsvSource({
    // The function's answer stands unless its status is one of the six retryable ones.
    "RESPONSE, 200, 1, final",
    "RESPONSE, 201, 1, final",
    "RESPONSE, 302, 1, final",
    "RESPONSE, 400, 1, final",
    "RESPONSE, 404, 1, final",
    "RESPONSE, 409, 1, final",
    "RESPONSE, 501, 1, final",
    "RESPONSE, 505, 1, final",
    "RESPONSE, 408, 1, retry",
    "RESPONSE, 429, 1, retry",
    "RESPONSE, 500, 1, retry",
    "RESPONSE, 502, 1, retry",
    "RESPONSE, 503, 1, retry",
    "RESPONSE, 504, 1, retry",
    "RESPONSE, 500, 4, retry",
    "RESPONSE, 500, 5, exhausted",
    "RESPONSE, 200, 5, final",
    "CONNECTION_ERROR, 502, 1, retry",
    "CONNECTION_ERROR, 502, 5, exhausted",
    "TIMEOUT, 504, 1, retry",
    "TIMEOUT, 504, 5, exhausted",
    // The platform's refusals: busy or no replica is retried, not deployed is final.
    "REJECTED, 429, 1, retry",
    "REJECTED, 503, 1, retry",
    "REJECTED, 504, 1, retry",
    "REJECTED, 503, 5, exhausted",
    "REJECTED, 404, 1, not-retryable",
    "REJECTED, 404, 5, not-retryable",
    "REJECTED, 400, 1, not-retryable",
    // Beyond the schedule (e.g. a redriven job counted wrongly) still gives up.
    "RESPONSE, 503, 9, exhausted",
  })
  void decidesAJobsAttempt(Ending ending, int status, int attempt, String want) {
    assertThat(kind(RetryPolicy.forJob(Attempt.of(ending, status), attempt, FIVE, 0.5)))
        .isEqualTo(want);
  }

  @ParameterizedTest(name = "callback {0} on attempt {1} -> {2}")
  @CsvSource({
    "200, 1, final",
    "204, 1, final",
    "299, 5, final",
    "0, 1, retry",
    "408, 1, retry",
    "429, 1, retry",
    "500, 1, retry",
    "502, 4, retry",
    "503, 1, retry",
    "599, 1, retry",
    "0, 5, exhausted",
    "500, 5, exhausted",
    "301, 1, not-retryable",
    "400, 1, not-retryable",
    "401, 1, not-retryable",
    "404, 1, not-retryable",
    "410, 1, not-retryable",
    "100, 1, not-retryable",
  })
  void decidesACallbackDelivery(int status, int attempt, String want) {
    assertThat(kind(RetryPolicy.forCallback(status, attempt, FIVE, 0.5))).isEqualTo(want);
  }

  @Test
  void aPlatform404SaysTheFunctionIsNotDeployed() {
    RetryDecision d = RetryPolicy.forJob(Attempt.of(Ending.REJECTED, 404), 1, FIVE, 0.1);
    assertThat(d).isEqualTo(new GiveUp(Cause.NOT_RETRYABLE, "the function is not deployed"));
  }

  @Test
  void reasonsNameTheFailureAndTheAttempt() {
    RetryDecision retry = RetryPolicy.forJob(Attempt.of(Ending.TIMEOUT, 504), 2, FIVE, 0);
    RetryDecision exhausted = RetryPolicy.forJob(Attempt.of(Ending.RESPONSE, 503), 5, FIVE, 0);
    assertThat(((Retry) retry).reason()).isEqualTo("timeout on attempt 2 of 5");
    assertThat(((GiveUp) exhausted).reason())
        .isEqualTo("the function answered 503 on attempt 5 of 5");
    assertThat(((Final) RetryPolicy.forJob(Attempt.of(Ending.RESPONSE, 404), 1, FIVE, 0)).reason())
        .isEqualTo("the function answered 404");
  }

  @ParameterizedTest(name = "after attempt {0}, random {1}: {2} ms")
  @CsvSource({
    // ceiling 1s: [500ms, 1s)
    "1, 0.0, 500",
    "1, 0.5, 750",
    "1, 0.998, 999",
    // ceiling doubles: 2s, 4s, 8s, 16s, 32s, then the 60s cap
    "2, 0.0, 1000",
    "3, 0.0, 2000",
    "4, 0.5, 6000",
    "6, 0.0, 16000",
    "7, 0.0, 30000",
    "7, 0.5, 45000",
    "8, 0.0, 30000",
    "40, 0.0, 30000",
    "64, 0.5, 45000",
    "2147483647, 0.0, 30000",
  })
  void backsOffExponentiallyWithEqualJitter(int attempt, double random, long wantMillis) {
    assertThat(RetryPolicy.delay(attempt, FIVE, Duration.ZERO, random))
        .isEqualTo(Duration.ofMillis(wantMillis));
  }

  @Test
  void everyDelayIsInTheUpperHalfOfItsCeiling() {
    SplittableRandom random = new SplittableRandom(42);
    RetrySchedule schedule = new RetrySchedule(100, Duration.ofMillis(3), Duration.ofMillis(777));
    for (int i = 0; i < 10_000; i++) {
      int attempt = 1 + random.nextInt(70);
      double r = random.nextDouble();
      long ceiling = RetryPolicy.ceilingNanos(attempt, schedule);
      long delay = RetryPolicy.delay(attempt, schedule, Duration.ZERO, r).toNanos();
      assertThat(ceiling)
          .isBetween(schedule.initialDelay().toNanos(), schedule.maxDelay().toNanos());
      assertThat(delay).isGreaterThanOrEqualTo(ceiling / 2).isLessThanOrEqualTo(ceiling);
    }
  }

  @Test
  void ceilingsNeverShrinkAsAttemptsGrow() {
    RetrySchedule schedule = new RetrySchedule(100, Duration.ofNanos(7), Duration.ofHours(5));
    long previous = 0;
    for (int attempt = 1; attempt < 200; attempt++) {
      long ceiling = RetryPolicy.ceilingNanos(attempt, schedule);
      assertThat(ceiling).isGreaterThanOrEqualTo(previous);
      previous = ceiling;
    }
    assertThat(previous).isEqualTo(Duration.ofHours(5).toNanos());
  }

  @Test
  void aZeroInitialDelayRetriesAtOnce() {
    RetrySchedule immediate = new RetrySchedule(3, Duration.ZERO, Duration.ofSeconds(1));
    assertThat(RetryPolicy.forJob(Attempt.of(Ending.TIMEOUT, 504), 2, immediate, 0.9))
        .isEqualTo(new Retry(Duration.ZERO, "timeout on attempt 2 of 3"));
  }

  @Test
  void aSingleAttemptNeverRetries() {
    RetrySchedule once = new RetrySchedule(1, Duration.ofSeconds(1), Duration.ofSeconds(1));
    assertThat(kind(RetryPolicy.forJob(Attempt.of(Ending.CONNECTION_ERROR, 502), 1, once, 0.3)))
        .isEqualTo("exhausted");
    assertThat(kind(RetryPolicy.forCallback(503, 1, once, 0.3))).isEqualTo("exhausted");
  }

  @Test
  void retryAfterIsAFloorCappedAtTheMaxDelay() {
    Attempt busy = new Attempt(Ending.RESPONSE, 429, Duration.ofSeconds(10));
    Attempt veryBusy = new Attempt(Ending.RESPONSE, 503, Duration.ofHours(1));
    Attempt brief = new Attempt(Ending.RESPONSE, 429, Duration.ofMillis(1));
    assertThat(((Retry) RetryPolicy.forJob(busy, 1, FIVE, 0.0)).delay())
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(((Retry) RetryPolicy.forJob(veryBusy, 1, FIVE, 0.0)).delay())
        .isEqualTo(Duration.ofSeconds(60));
    assertThat(((Retry) RetryPolicy.forJob(brief, 1, FIVE, 0.0)).delay())
        .isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void aNegativeOrMissingRetryAfterIsNone() {
    assertThat(new Attempt(Ending.RESPONSE, 429, Duration.ofSeconds(-3)).retryAfter())
        .isEqualTo(Duration.ZERO);
    assertThat(new Attempt(Ending.RESPONSE, 429, null).retryAfter()).isEqualTo(Duration.ZERO);
  }

  @Test
  void rejectsAnAttemptBelowOneAndARandomOutsideTheUnitInterval() {
    assertThatThrownBy(() -> RetryPolicy.delay(0, FIVE, Duration.ZERO, 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("attempt");
    assertThatThrownBy(() -> RetryPolicy.delay(1, FIVE, Duration.ZERO, 1.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("random");
    assertThatThrownBy(() -> RetryPolicy.delay(1, FIVE, Duration.ZERO, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({
    "408, true",
    "429, true",
    "500, true",
    "502, true",
    "503, true",
    "504, true",
    "200, false",
    "404, false",
    "501, false",
    "505, false",
    "0, false"
  })
  void retryableResponsesAreTheSixStatuses(int status, boolean want) {
    assertThat(RetryPolicy.retryableResponse(status)).isEqualTo(want);
  }
}
