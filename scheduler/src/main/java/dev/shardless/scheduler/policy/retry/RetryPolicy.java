package dev.shardless.scheduler.policy.retry;

import dev.shardless.scheduler.model.RetrySchedule;
import dev.shardless.scheduler.policy.retry.RetryDecision.Cause;
import dev.shardless.scheduler.policy.retry.RetryDecision.Final;
import dev.shardless.scheduler.policy.retry.RetryDecision.GiveUp;
import dev.shardless.scheduler.policy.retry.RetryDecision.Retry;
import java.time.Duration;

/**
 * Decides whether a failed attempt of an async job, or of a callback delivery, is tried again and
 * when. Pure: the facts, the attempt number, the schedule and a random number in [0, 1) come in.
 *
 * <p><b>Retryable.</b> A job's attempt is retried after a connection error, a timeout, a response
 * with status 408, 429, 500, 502, 503 or 504, and a lease the function's entity refused with 429,
 * 503 or 504 (busy, no replica, none free in time). The entity's 404 (the function is not deployed)
 * is final: no retry brings it back. Any other response is the function's answer and stands,
 * whatever its status. A callback is retried after a connection error (status 0), 408, 429 and any
 * 5xx; a 2xx is delivered; anything else (3xx, other 4xx) is the receiver's refusal.
 *
 * <p><b>Delay: exponential backoff with "equal jitter".</b> After attempt {@code n} (1-based)
 * failed the ceiling is {@code c = min(maxDelay, initialDelay × 2^(n-1))} and the delay is {@code
 * c/2 + random × c/2}, so in {@code [c/2, c)}. Full jitter ({@code random × c}, AWS's
 * recommendation when many independent clients compete) can draw a delay near zero and hit a
 * function that just said 429 or 503 again at once; here one queue per function already bounds how
 * many of its jobs run, so the herd full jitter disperses does not exist, and keeping half the
 * backoff as a floor is the better trade. Example with 1s..60s: after attempt 1 the delay is in
 * [0.5s, 1s), after 3 in [2s, 4s), after 7 and later in [30s, 60s). A {@code Retry-After} from the
 * function (when known) is a lower bound on the delay, itself capped at {@code maxDelay}.
 */
public final class RetryPolicy {
  private RetryPolicy() {}

  /** How an attempt of a job ended (mirrors the runner's outcome kinds). */
  public enum Ending {
    /** The function answered, with {@code status}. */
    RESPONSE,
    /** No complete response: the replica could not be reached or broke the connection. */
    CONNECTION_ERROR,
    /** The function did not answer within its timeout. */
    TIMEOUT,
    /** The function's entity gave no slot; {@code status} is its 404, 429, 503 or 504. */
    REJECTED
  }

  /**
   * What one attempt of a job came to.
   *
   * @param ending how it ended
   * @param status the HTTP status (the function's, or the one a synchronous caller would see)
   * @param retryAfter the function's {@code Retry-After}, {@link Duration#ZERO} when none
   */
  public record Attempt(Ending ending, int status, Duration retryAfter) {
    public Attempt {
      retryAfter = retryAfter == null || retryAfter.isNegative() ? Duration.ZERO : retryAfter;
    }

    /** Without a {@code Retry-After}. */
    public static Attempt of(Ending ending, int status) {
      return new Attempt(ending, status, Duration.ZERO);
    }
  }

  /**
   * After attempt {@code attempt} (1-based, counted within {@code schedule}) of a job ended as
   * {@code facts}: {@link Final} (the response stands), {@link Retry}, or {@link GiveUp} ({@link
   * Cause#NOT_RETRYABLE}: the function is not deployed; {@link Cause#EXHAUSTED}: every attempt
   * failed).
   *
   * @param random a number in [0, 1), from the caller's generator
   */
  public static RetryDecision forJob(
      Attempt facts, int attempt, RetrySchedule schedule, double random) {
    String what = describe(facts);
    boolean retryable =
        switch (facts.ending()) {
          case CONNECTION_ERROR, TIMEOUT -> true;
          case RESPONSE -> retryableResponse(facts.status());
          case REJECTED -> facts.status() == 429 || facts.status() == 503 || facts.status() == 504;
        };
    if (!retryable) {
      if (facts.ending() == Ending.RESPONSE) {
        return new Final("the function answered " + facts.status());
      }
      return new GiveUp(
          Cause.NOT_RETRYABLE,
          facts.status() == 404 ? "the function is not deployed" : what + " is not retryable");
    }
    return next(what, attempt, schedule, facts.retryAfter(), random);
  }

  /**
   * After delivery attempt {@code attempt} (1-based) of a callback got {@code status} (0: the
   * receiver could not be reached): {@link Final} when delivered (2xx), else {@link Retry} or
   * {@link GiveUp}.
   */
  public static RetryDecision forCallback(
      int status, int attempt, RetrySchedule schedule, double random) {
    if (status >= 200 && status < 300) {
      return new Final("delivered with " + status);
    }
    String what = status == 0 ? "receiver unreachable" : "receiver answered " + status;
    boolean retryable = status == 0 || status == 408 || status == 429 || status >= 500;
    if (!retryable) {
      return new GiveUp(Cause.NOT_RETRYABLE, what + " (not retryable)");
    }
    return next(what, attempt, schedule, Duration.ZERO, random);
  }

  /** True for the response statuses a job retries: 408, 429, 500, 502, 503, 504. */
  public static boolean retryableResponse(int status) {
    return status == 408
        || status == 429
        || status == 500
        || status == 502
        || status == 503
        || status == 504;
  }

  /**
   * The delay after attempt {@code attempt} failed: equal jitter under the doubling ceiling (see
   * the class comment), at least {@code retryAfter} capped at {@code maxDelay}.
   */
  public static Duration delay(
      int attempt, RetrySchedule schedule, Duration retryAfter, double random) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
    }
    if (!(random >= 0 && random < 1)) {
      throw new IllegalArgumentException("random must be in [0, 1), was " + random);
    }
    long ceiling = ceilingNanos(attempt, schedule);
    long half = ceiling / 2;
    long jittered = half + (long) (random * (ceiling - half));
    long floor = Math.min(retryAfter.toNanos(), schedule.maxDelay().toNanos());
    return Duration.ofNanos(Math.max(jittered, floor));
  }

  /** {@code min(maxDelay, initialDelay × 2^(attempt-1))}, without overflow. */
  static long ceilingNanos(int attempt, RetrySchedule schedule) {
    long initial = schedule.initialDelay().toNanos();
    long max = schedule.maxDelay().toNanos();
    int doublings = attempt - 1;
    if (initial == 0) {
      return 0;
    }
    if (doublings >= 63 || initial > (max >> doublings)) {
      return max;
    }
    return Math.min(max, initial << doublings);
  }

  private static RetryDecision next(
      String what, int attempt, RetrySchedule schedule, Duration retryAfter, double random) {
    if (attempt >= schedule.attempts()) {
      return new GiveUp(
          Cause.EXHAUSTED, what + " on attempt " + attempt + " of " + schedule.attempts());
    }
    return new Retry(
        delay(attempt, schedule, retryAfter, random),
        what + " on attempt " + attempt + " of " + schedule.attempts());
  }

  private static String describe(Attempt facts) {
    return switch (facts.ending()) {
      case RESPONSE -> "the function answered " + facts.status();
      case CONNECTION_ERROR -> "connection error";
      case TIMEOUT -> "timeout";
      case REJECTED -> "lease refused with " + facts.status();
    };
  }
}
