package dev.shardless.scheduler.policy.retry;

import java.time.Duration;

/**
 * What to do after an attempt (of a job, or of a callback delivery), with the reason for the log.
 */
public sealed interface RetryDecision {

  /** Why the work stopped without a usable result. */
  enum Cause {
    /** The outcome cannot change on another try (404 from the platform, a 4xx from a receiver). */
    NOT_RETRYABLE,
    /** The outcome was retryable but the schedule's attempts are used up. */
    EXHAUSTED
  }

  /** The attempt's result stands: the function answered, or the callback was delivered. */
  record Final(String reason) implements RetryDecision {}

  /** Try again after {@code delay}. */
  record Retry(Duration delay, String reason) implements RetryDecision {}

  /** Stop trying. */
  record GiveUp(Cause cause, String reason) implements RetryDecision {}
}
