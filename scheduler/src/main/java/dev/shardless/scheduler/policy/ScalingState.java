package dev.shardless.scheduler.policy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What {@link ScalingPolicy} remembers between evaluations: the recent observations (at most one
 * per half evaluation interval, none older than the longest window) and when panic last triggered.
 * Immutable: each evaluation returns the next state.
 *
 * @param history oldest first
 * @param lastPanic when panic mode last triggered, or null
 */
public record ScalingState(List<Observation> history, Instant lastPanic) {
  /** Nothing observed yet: a fresh entity, or one just scaled to zero. */
  public static final ScalingState EMPTY = new ScalingState(List.of(), null);

  public ScalingState {
    history = List.copyOf(Objects.requireNonNull(history, "history"));
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
