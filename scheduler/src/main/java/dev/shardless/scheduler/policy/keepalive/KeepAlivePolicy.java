package dev.shardless.scheduler.policy.keepalive;

import java.time.Duration;
import java.time.Instant;

/**
 * Decides how long a function's last replica stays warm after activity ends, and whether to start
 * one again ahead of the next predicted call. Pure: the learned state is an immutable {@link
 * IdleTimeHistogram} that the caller keeps and passes in, time is an argument.
 *
 * <p>Life cycle, for the entity and for the replay simulator alike:
 *
 * <ol>
 *   <li>{@link #initialState()} when the function is deployed (or its entity restarts);
 *   <li>when a call arrives after an idle period, {@link #observe} the idle time;
 *   <li>when the last call in flight completes, {@link #decide} and carry out the decision.
 * </ol>
 */
public sealed interface KeepAlivePolicy permits Fixed, HybridHistogram, Adaptive {

  /** Short name for reports and logs, e.g. {@code fixed-10m}. */
  String name();

  /** What the policy knows before it has seen the function run. */
  IdleTimeHistogram initialState();

  /**
   * The state after one more idle time (end of activity to next call); may return {@code state}.
   */
  default IdleTimeHistogram observe(IdleTimeHistogram state, Duration idle) {
    return state.record(idle);
  }

  /**
   * @param state what was learned so far
   * @param now the time of the decision, >= {@code lastActivityEnd}
   * @param lastActivityEnd when the function's last call in flight completed
   */
  KeepAliveDecision decide(IdleTimeHistogram state, Instant now, Instant lastActivityEnd);
}
