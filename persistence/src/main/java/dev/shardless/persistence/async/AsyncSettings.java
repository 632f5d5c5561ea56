package dev.shardless.persistence.async;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.shardless.scheduler.model.RetrySchedule;
import java.time.Duration;

/**
 * The {@code shardless.async} settings, parsed and validated once (see this module's {@code
 * reference.conf} for what each means).
 *
 * @param maxBody largest accepted request body in bytes (larger: 413)
 * @param maxResult largest function response kept for a callback, in bytes
 * @param resultPreview bytes of a response body kept for the visibility endpoints
 * @param retainFinished finished jobs kept per function for lookups and idempotency
 * @param maxQueuedBytes request bytes a function's queue holds before it refuses with 503
 * @param askTimeout how long the gateway waits for a durable accept
 * @param retry default retry of a job (labels override it per function)
 * @param callback retry of callback deliveries
 * @param callbackTimeout how long one callback delivery may take
 * @param snapshotEvery events between snapshots of a queue
 * @param snapshotMaxBytes a queue bigger than this (bodies of waiting jobs) is not snapshotted
 */
public record AsyncSettings(
    long maxBody,
    long maxResult,
    int resultPreview,
    int retainFinished,
    long maxQueuedBytes,
    Duration askTimeout,
    Backoff retry,
    Backoff callback,
    Duration callbackTimeout,
    int snapshotEvery,
    long snapshotMaxBytes) {

  static final String PREFIX = "shardless.async.";

  /**
   * A retry schedule: {@code attempts} in all (the first included), delays doubling from {@code
   * initialDelay} up to {@code maxDelay}, with jitter.
   */
  public record Backoff(int attempts, Duration initialDelay, Duration maxDelay) {
    public Backoff {
      schedule(attempts, initialDelay, maxDelay); // validates, with the schedule's messages
    }

    /** The same schedule, as the scheduler's retry policy takes it. */
    public RetrySchedule schedule() {
      return schedule(attempts, initialDelay, maxDelay);
    }

    private static RetrySchedule schedule(int attempts, Duration initial, Duration max) {
      return new RetrySchedule(attempts, initial, max);
    }
  }

  public AsyncSettings {
    positive("max-body", maxBody);
    positive("max-result", maxResult);
    positive("result-preview", resultPreview);
    positive("retain-finished", retainFinished);
    positive("max-queued-bytes", maxQueuedBytes);
    positive("snapshot-every", snapshotEvery);
    positive("snapshot-max-bytes", snapshotMaxBytes);
    if (askTimeout.isZero() || askTimeout.isNegative()) {
      throw new IllegalArgumentException(PREFIX + "ask-timeout must be > 0, was " + askTimeout);
    }
    if (callbackTimeout.isZero() || callbackTimeout.isNegative()) {
      throw new IllegalArgumentException(
          PREFIX + "callback.timeout must be > 0, was " + callbackTimeout);
    }
  }

  private static void positive(String key, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(PREFIX + key + " must be > 0, was " + value);
    }
  }

  /**
   * Reads {@code shardless.async} from {@code config}, falling back to this module's {@code
   * reference.conf}.
   *
   * @throws IllegalArgumentException naming the key when a value is invalid
   */
  public static AsyncSettings fromConfig(Config config) {
    Config c =
        config
            .withFallback(ConfigFactory.defaultReference(AsyncSettings.class.getClassLoader()))
            .getConfig("shardless.async");
    return new AsyncSettings(
        c.getBytes("max-body"),
        c.getBytes("max-result"),
        Math.toIntExact(c.getBytes("result-preview")),
        c.getInt("retain-finished"),
        c.getBytes("max-queued-bytes"),
        c.getDuration("ask-timeout"),
        backoff(c, "retry"),
        backoff(c, "callback"),
        c.getDuration("callback.timeout"),
        c.getInt("snapshot-every"),
        c.getBytes("snapshot-max-bytes"));
  }

  private static Backoff backoff(Config c, String section) {
    try {
      return new Backoff(
          c.getInt(section + ".attempts"),
          c.getDuration(section + ".initial-delay"),
          c.getDuration(section + ".max-delay"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(PREFIX + section + ": " + e.getMessage(), e);
    }
  }
}
