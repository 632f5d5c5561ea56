package dev.shardless.scheduler.policy;

import dev.shardless.scheduler.model.ScalingSpec;
import java.time.Instant;

/**
 * The one question idle-to-zero asks: "is it time to go to zero?". {@link ScalingPolicy} asks it
 * only for a function with {@code com.openfaas.scale.zero=true}, replicas wanted, and nothing in
 * flight, buffered or pending, so an implementation cannot idle a function mid-execution. The fixed
 * {@code zero-duration} is {@link #FIXED}; a keep-alive policy (unload after a learned idle time)
 * plugs in here without changing the scaling policy.
 */
@FunctionalInterface
public interface IdleRule {
  /**
   * @param lastStarted when the last invocation started (a lease was granted), or when the entity
   *     started if none has
   * @param now the time of the evaluation
   * @param spec the function's scaling labels
   * @return true to scale to zero now
   */
  boolean unloadNow(Instant lastStarted, Instant now, ScalingSpec spec);

  /** {@code com.openfaas.scale.zero-duration} after the last started invocation. */
  IdleRule FIXED = (lastStarted, now, spec) -> !now.isBefore(lastStarted.plus(spec.zeroDuration()));
}
