package dev.shardless.scheduler.policy.keepalive;

import dev.shardless.scheduler.model.GoDuration;
import java.time.Duration;
import java.time.Instant;

/**
 * The standard keep-alive that OpenFaaS ({@code com.openfaas.scale.zero-duration}), AWS and Azure
 * use: keep the replica for a fixed time after activity, never pre-warm. Learns nothing.
 *
 * <p>Example: keepAlive 10m, activity ended 12:00 → KeepAlive(12:10).
 *
 * @param keepAlive how long an idle replica stays, >= 0
 */
public record Fixed(Duration keepAlive) implements KeepAlivePolicy {
  private static final IdleTimeHistogram NOTHING = IdleTimeHistogram.empty(0, 1);

  public Fixed {
    if (keepAlive.isNegative()) {
      throw new IllegalArgumentException("keepAlive must be >= 0, was " + keepAlive);
    }
  }

  @Override
  public String name() {
    return "fixed-" + GoDuration.format(keepAlive);
  }

  @Override
  public IdleTimeHistogram initialState() {
    return NOTHING;
  }

  @Override
  public IdleTimeHistogram observe(IdleTimeHistogram state, Duration idle) {
    return state;
  }

  @Override
  public KeepAliveDecision decide(IdleTimeHistogram state, Instant now, Instant lastActivityEnd) {
    return new KeepAliveDecision.KeepAlive(
        lastActivityEnd.plus(keepAlive), "fixed keep-alive " + GoDuration.format(keepAlive));
  }
}
