package dev.shardless.scheduler.policy;

import dev.shardless.scheduler.model.ReplicaId;
import java.time.Instant;

/**
 * What the policies read about one replica. The policies never change it; {@link ReplicaSnapshot}
 * is the immutable implementation. The entity passes its own single-threaded bookkeeping objects
 * through this interface so that routing a lease copies nothing.
 */
public interface ReplicaView {
  ReplicaId id();

  ReplicaState state();

  /** Leases out on this replica now. */
  int inFlight();

  /** The definition version the replica was started with. */
  long version();

  /** When a draining replica is stopped even with calls in flight; null unless draining. */
  Instant drainDeadline();
}
