package dev.shardless.scheduler.policy;

import java.time.Instant;
import java.util.Objects;

/**
 * What the entity observes about one function at {@code at}, handed to {@link ScalingPolicy}.
 *
 * @param at the time of the observation (the policy never reads a clock)
 * @param desired replicas the entity wants now (the count a decision changes)
 * @param ready replicas of the current version that accept leases
 * @param inFlight leases out now, on every replica including draining ones
 * @param buffered requests waiting for a slot
 * @param completions calls completed since the entity started (a counter; rates come from its
 *     differences)
 * @param lastStarted when the last lease was granted, or when the entity started if none was
 * @param pendingAsync async jobs queued for this function and not yet dispatched (bounded by the
 *     function's async cap): demand like buffered requests, and never go to zero while any wait
 */
public record LoadSnapshot(
    Instant at,
    int desired,
    int ready,
    int inFlight,
    int buffered,
    long completions,
    Instant lastStarted,
    int pendingAsync) {

  public LoadSnapshot {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(lastStarted, "lastStarted");
    if (desired < 0 || ready < 0 || inFlight < 0 || buffered < 0 || pendingAsync < 0) {
      throw new IllegalArgumentException(
          "counts must be >= 0, were desired "
              + desired
              + ", ready "
              + ready
              + ", inFlight "
              + inFlight
              + ", buffered "
              + buffered
              + ", pendingAsync "
              + pendingAsync);
    }
  }

  /** Requests and async jobs waiting for a slot: the demand a replica would serve next. */
  public int waiting() {
    return buffered + pendingAsync;
  }

  /** True when a call is in flight, buffered, or an async job waits: never zero then. */
  public boolean hasWork() {
    return inFlight > 0 || buffered > 0 || pendingAsync > 0;
  }
}
