package dev.shardless.scheduler.policy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What {@link ScalingPolicy} remembers between evaluations: the recent observations (at most one
 * per half evaluation interval, none older than the longest window), when panic last triggered, and
 * the last count an operator asked for. Immutable: each evaluation returns the next state.
 *
 * @param history oldest first
 * @param lastPanic when panic mode last triggered, or null
 * @param requested the replica count last asked for with {@code scale-function}, 0 if none
 * @param requestedAt when it was asked for, or null
 */
public record ScalingState(
    List<Observation> history, Instant lastPanic, int requested, Instant requestedAt) {
  /** Nothing observed yet: a fresh entity, or one just scaled to zero. */
  public static final ScalingState EMPTY = new ScalingState(List.of(), null, 0, null);

  public ScalingState {
    history = List.copyOf(Objects.requireNonNull(history, "history"));
  }

  /** This state with its observations and panic replaced, the operator's request kept. */
  ScalingState next(List<Observation> nextHistory, Instant nextPanic) {
    return new ScalingState(nextHistory, nextPanic, requested, requestedAt);
  }

  /**
   * This state after an operator asked for {@code replicas} at {@code at} ({@code scale-function}):
   * the policy treats the request as a recommendation made then, so it does not scale below it for
   * one scale-down window (load can still take the count higher).
   */
  public ScalingState withRequest(int replicas, Instant at) {
    return new ScalingState(history, lastPanic, replicas, Objects.requireNonNull(at, "at"));
  }

  /**
   * One kept sample.
   *
   * @param at when it was observed
   * @param inFlight leases out then
   * @param buffered requests waiting then
   * @param completions the completions counter then
   * @param recommended the load's recommendation then (before the down-window and panic hold): the
   *     down-window's floor
   */
  public record Observation(
      Instant at, int inFlight, int buffered, long completions, int recommended) {}
}
