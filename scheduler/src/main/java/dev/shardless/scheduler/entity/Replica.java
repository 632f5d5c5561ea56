package dev.shardless.scheduler.entity;

import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.policy.ReplicaState;
import dev.shardless.scheduler.policy.ReplicaView;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.Address;

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

  /**
   * Of {@link #inFlight}, the leases held by gateways on other nodes, by node; null until the first
   * one. Lets the entity take back the slots of a node that left the cluster mid-call.
   */
  private Map<Address, Integer> remote;

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

  /** A lease went to a gateway on {@code node} (another node of the cluster). */
  void leasedTo(Address node) {
    if (remote == null) {
      remote = new HashMap<>(4);
    }
    remote.merge(node, 1, Integer::sum);
  }

  /**
   * A call leased here ended: its slot is free again. {@code lessee} is the node of the gateway
   * that made it (null when the release does not say).
   */
  void released(Address lessee) {
    if (inFlight > 0) {
      inFlight--;
      if (lessee != null) {
        releasedBy(lessee);
      }
    }
  }

  /** A gateway on {@code node} released a lease; nothing when it holds none here (a local one). */
  void releasedBy(Address node) {
    if (remote != null) {
      remote.computeIfPresent(node, (k, n) -> n > 1 ? n - 1 : null);
    }
  }

  /**
   * {@code node} left the cluster: forgets its leases, frees their slots, and answers how many
   * there were.
   */
  int dropLeasesOf(Address node) {
    Integer n = remote == null ? null : remote.remove(node);
    if (n == null) {
      return 0;
    }
    inFlight = Math.max(0, inFlight - n);
    return n;
  }

  @Override
  public String toString() {
    return id + "(" + state + " v" + version + ", " + inFlight + " in flight)";
  }
}
