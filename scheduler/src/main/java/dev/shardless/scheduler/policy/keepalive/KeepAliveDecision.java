package dev.shardless.scheduler.policy.keepalive;

import java.time.Instant;

/**
 * What to do with a function's last replica once it has gone idle, with the reason. Times are
 * absolute; the entity arms timers for them and re-asks the policy after the next activity.
 */
public sealed interface KeepAliveDecision {

  /** When the replica that just went idle should be stopped (may be the activity end itself). */
  Instant unloadAt();

  /** Why, for the debug log and the metrics. */
  String reason();

  /** Keep the idle replica until {@code unloadAt}, then stop it. */
  record KeepAlive(Instant unloadAt, String reason) implements KeepAliveDecision {}

  /**
   * Keep the idle replica until {@code unloadAt}, stop it, then start one replica so that it is
   * ready at {@code prewarmAt} (the entity starts it its start-up time earlier) and stop it at
   * {@code prewarmUntil} if no call came. {@code unloadAt < prewarmAt < prewarmUntil}.
   */
  record UnloadThenPrewarm(Instant unloadAt, Instant prewarmAt, Instant prewarmUntil, String reason)
      implements KeepAliveDecision {
    public UnloadThenPrewarm {
      if (!unloadAt.isBefore(prewarmAt) || !prewarmAt.isBefore(prewarmUntil)) {
        throw new IllegalArgumentException(
            "need unloadAt < prewarmAt < prewarmUntil, was "
                + unloadAt
                + ", "
                + prewarmAt
                + ", "
                + prewarmUntil);
      }
    }
  }
}
