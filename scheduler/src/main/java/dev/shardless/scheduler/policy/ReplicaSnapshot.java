package dev.shardless.scheduler.policy;

import dev.shardless.scheduler.model.ReplicaId;
import java.time.Instant;
import java.util.Objects;

/** An immutable {@link ReplicaView}. */
public record ReplicaSnapshot(
    ReplicaId id, ReplicaState state, int inFlight, long version, Instant drainDeadline)
    implements ReplicaView {
  public ReplicaSnapshot {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    if (inFlight < 0) {
      throw new IllegalArgumentException("inFlight must be >= 0, was " + inFlight);
    }
    if (state == ReplicaState.DRAINING) {
      Objects.requireNonNull(drainDeadline, "drainDeadline of a draining replica");
    }
  }

  /** A replica in {@code state} that is not draining. */
  public static ReplicaSnapshot of(String id, ReplicaState state, int inFlight, long version) {
    return new ReplicaSnapshot(new ReplicaId(id), state, inFlight, version, null);
  }
}
