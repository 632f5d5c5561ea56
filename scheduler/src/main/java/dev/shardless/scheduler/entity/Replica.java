package dev.shardless.scheduler.entity;

import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.policy.ReplicaState;
import dev.shardless.scheduler.policy.ReplicaView;
import java.time.Instant;

/**
 * The entity's bookkeeping for one replica. Mutable and confined to the entity's actor: the
 * policies read it through {@link ReplicaView} while the entity handles one message, so routing a
 * lease copies nothing.
 */
final class Replica implements ReplicaView {
  private final ReplicaId id;
  private final long version;
  ReplicaState state = ReplicaState.STARTING;
  int inFlight;
  Instant drainDeadline;
  String host;
  int port;

  /** When the entity asked the platform to start it (its start-up time is measured from here). */
  long startedMillis;

  Replica(ReplicaId id, long version) {
    this.id = id;
    this.version = version;
  }

  @Override
  public ReplicaId id() {
    return id;
  }

  @Override
  public ReplicaState state() {
    return state;
  }

  @Override
  public int inFlight() {
    return inFlight;
  }

  @Override
  public long version() {
    return version;
  }

  @Override
  public Instant drainDeadline() {
    return drainDeadline;
  }

  @Override
  public String toString() {
    return id + "(" + state + " v" + version + ", " + inFlight + " in flight)";
  }
}
