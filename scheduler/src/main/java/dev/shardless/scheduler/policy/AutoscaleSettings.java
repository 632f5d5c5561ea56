package dev.shardless.scheduler.policy;

import dev.shardless.scheduler.model.GoDuration;
import java.time.Duration;

/**
 * How the {@link ScalingPolicy} looks at load: the {@code shardless.scheduler.autoscale} settings
 * (see {@code reference.conf} for units, ranges and consequences).
 *
 * @param evaluationInterval {@code evaluation-interval}: how often an entity with replicas or
 *     demand evaluates the policy on its timer; also the spacing of kept samples (at most one per
 *     half interval)
 * @param stableWindow {@code stable-window}: the mean load over this window drives scale-down; a
 *     panic ends after this long without a new trigger
 * @param panicWindow {@code panic-window}: the short window that detects bursts
 * @param panicThreshold {@code panic-threshold}: panic when the panic-window load asks for at least
 *     this many times the ready replicas
 * @param scaleDownWindow {@code scale-down-window}: scale-down never goes below the highest
 *     recommendation made within this window
 * @param decisionHistory {@code decision-history}: how many recent replica-count changes an entity
 *     keeps for its status
 */
public record AutoscaleSettings(
    Duration evaluationInterval,
    Duration stableWindow,
    Duration panicWindow,
    double panicThreshold,
    Duration scaleDownWindow,
    int decisionHistory) {

  public static final String PATH = "shardless.scheduler.autoscale";

  /** The reference.conf defaults. */
  public static final AutoscaleSettings DEFAULT =
      new AutoscaleSettings(
          Duration.ofSeconds(2),
          Duration.ofSeconds(60),
          Duration.ofSeconds(6),
          2.0,
          Duration.ofSeconds(60),
          20);

  public AutoscaleSettings {
    requirePositive("evaluation-interval", evaluationInterval);
    requirePositive("stable-window", stableWindow);
    requirePositive("panic-window", panicWindow);
    requirePositive("scale-down-window", scaleDownWindow);
    if (panicWindow.compareTo(stableWindow) > 0) {
      throw new IllegalArgumentException(
          PATH
              + ".panic-window must be <= stable-window ("
              + GoDuration.format(stableWindow)
              + "), was "
              + GoDuration.format(panicWindow));
    }
    if (evaluationInterval.compareTo(panicWindow) > 0) {
      throw new IllegalArgumentException(
          PATH
              + ".evaluation-interval must be <= panic-window ("
              + GoDuration.format(panicWindow)
              + "), was "
              + GoDuration.format(evaluationInterval));
    }
    if (!(panicThreshold >= 1.0) || Double.isInfinite(panicThreshold)) {
      throw new IllegalArgumentException(
          PATH + ".panic-threshold must be >= 1.0, was " + panicThreshold);
    }
    if (decisionHistory < 1 || decisionHistory > 1000) {
      throw new IllegalArgumentException(
          PATH + ".decision-history must be in 1..1000, was " + decisionHistory);
    }
  }

  private static void requirePositive(String key, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(
          PATH
              + "."
              + key
              + " must be > 0, was "
              + (value == null
                  ? "null"
                  : value.isNegative() ? value.toString() : GoDuration.format(value)));
    }
  }
}
