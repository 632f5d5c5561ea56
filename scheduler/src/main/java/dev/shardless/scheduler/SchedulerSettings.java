package dev.shardless.scheduler;

import com.typesafe.config.Config;
import dev.shardless.scheduler.model.GoDuration;
import dev.shardless.scheduler.policy.AutoscaleSettings;
import java.time.Duration;

/**
 * The {@code shardless.scheduler} settings (see {@code reference.conf} for each key's unit, range
 * and consequence), parsed once and validated.
 *
 * @param bufferSize {@code buffer-size}: requests one function may hold waiting for a slot
 * @param stashSize {@code stash-size}: commands held while the entity looks up its definition
 * @param catalogTimeout {@code catalog-timeout}: how long the definition lookup may take
 * @param restartBackoffMin {@code restart-backoff-min}: first delay after a failed start
 * @param restartBackoffMax {@code restart-backoff-max}: largest delay after failed starts
 * @param stopGrace {@code stop-grace}: time between the polite stop signal and the kill
 * @param handoffDrain {@code handoff-drain-timeout}: how long a handed-off entity waits for the
 *     calls in flight on its replicas before it stops them
 * @param expireInterval {@code expire-interval}: how often buffered deadlines are checked
 * @param autoscale {@code autoscale.*}: windows and timing of the autoscaler
 */
public record SchedulerSettings(
    int bufferSize,
    int stashSize,
    Duration catalogTimeout,
    Duration restartBackoffMin,
    Duration restartBackoffMax,
    Duration stopGrace,
    Duration handoffDrain,
    Duration expireInterval,
    AutoscaleSettings autoscale) {

  public static final String PATH = "shardless.scheduler";
  private static final int MAX_COUNT = 1_000_000;
  private static final Duration MAX_HANDOFF_DRAIN = Duration.ofSeconds(50);

  public SchedulerSettings {
    requireCount("buffer-size", bufferSize);
    requireCount("stash-size", stashSize);
    requirePositive("catalog-timeout", catalogTimeout);
    requirePositive("restart-backoff-min", restartBackoffMin);
    requirePositive("restart-backoff-max", restartBackoffMax);
    if (restartBackoffMax.compareTo(restartBackoffMin) < 0) {
      throw new IllegalArgumentException(
          PATH
              + ".restart-backoff-max must be >= restart-backoff-min ("
              + GoDuration.format(restartBackoffMin)
              + "), was "
              + GoDuration.format(restartBackoffMax));
    }
    if (stopGrace == null || stopGrace.isNegative()) {
      throw new IllegalArgumentException(PATH + ".stop-grace must be >= 0, was " + show(stopGrace));
    }
    if (handoffDrain == null
        || handoffDrain.isNegative()
        || handoffDrain.compareTo(MAX_HANDOFF_DRAIN) > 0) {
      throw new IllegalArgumentException(
          PATH
              + ".handoff-drain-timeout must be in 0s..50s (below"
              + " pekko.cluster.sharding.handoff-timeout), was "
              + show(handoffDrain));
    }
    requirePositive("expire-interval", expireInterval);
    if (autoscale == null) {
      throw new IllegalArgumentException(PATH + ".autoscale must be set");
    }
  }

  /** Reads {@code shardless.scheduler} from the full configuration (e.g. the actor system's). */
  public static SchedulerSettings fromConfig(Config root) {
    Config c = root.getConfig(PATH);
    return new SchedulerSettings(
        c.getInt("buffer-size"),
        c.getInt("stash-size"),
        c.getDuration("catalog-timeout"),
        c.getDuration("restart-backoff-min"),
        c.getDuration("restart-backoff-max"),
        c.getDuration("stop-grace"),
        c.getDuration("handoff-drain-timeout"),
        c.getDuration("expire-interval"),
        autoscale(c.getConfig("autoscale")));
  }

  private static AutoscaleSettings autoscale(Config a) {
    return new AutoscaleSettings(
        a.getDuration("evaluation-interval"),
        a.getDuration("stable-window"),
        a.getDuration("panic-window"),
        a.getDouble("panic-threshold"),
        a.getDuration("scale-down-window"),
        a.getInt("decision-history"));
  }

  /**
   * The delay before the next start after {@code failures} consecutive failed starts: {@code min ×
   * 2^(failures−1)}, capped at max. Example with 1 s / 30 s: 1 s, 2 s, 4 s, 8 s, 16 s, 30 s, 30 s.
   */
  public Duration restartBackoff(int failures) {
    if (failures <= 0) {
      return Duration.ZERO;
    }
    int shift = Math.min(failures - 1, 30);
    long millis = restartBackoffMin.toMillis() << shift;
    if (millis <= 0 || millis >= restartBackoffMax.toMillis()) {
      return restartBackoffMax;
    }
    return Duration.ofMillis(millis);
  }

  private static void requireCount(String key, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(PATH + "." + key + " must be > 0, was " + value);
    }
    if (value > MAX_COUNT) {
      throw new IllegalArgumentException(
          PATH + "." + key + " must be <= " + MAX_COUNT + ", was " + value);
    }
  }

  private static void requirePositive(String key, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(PATH + "." + key + " must be > 0, was " + show(value));
    }
  }

  private static String show(Duration d) {
    return d == null ? "null" : d.isNegative() ? d.toString() : GoDuration.format(d);
  }
}
