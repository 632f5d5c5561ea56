package dev.shardless.scheduler.model;

import java.time.Duration;
import java.util.Objects;

/**
 * A retry schedule: {@code attempts} in all (the first included), delays doubling from {@code
 * initialDelay} up to {@code maxDelay}. The jitter that spreads the delays is the policy's business
 * ({@code policy.retry.RetryPolicy}); this is only the shape.
 *
 * @param attempts attempts in all, at least 1 (1 means no retry)
 * @param initialDelay the delay ceiling after the first failed attempt, at least 0
 * @param maxDelay the largest delay ceiling, at least {@code initialDelay}
 */
public record RetrySchedule(int attempts, Duration initialDelay, Duration maxDelay) {
  public RetrySchedule {
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be >= 1, was " + attempts);
    }
    if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException(
          "need 0 <= initial delay <= max delay, was " + initialDelay + " and " + maxDelay);
    }
  }
}
