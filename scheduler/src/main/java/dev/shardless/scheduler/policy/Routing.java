package dev.shardless.scheduler.policy;

import java.util.List;

/**
 * Chooses the replica for one lease: the least-loaded {@link ReplicaState#READY} replica with a
 * free slot, else the buffer, else a 429.
 *
 * <p>A replica has a free slot when {@code maxInflight} is 0 (unlimited) or its in-flight count is
 * below {@code maxInflight}. Ties on in-flight go to the smallest replica id, so the same input
 * always gives the same answer whatever the list order. Requests that arrive while others wait are
 * buffered behind them, so that waiting callers are served first come, first served.
 *
 * <p>Example, {@code maxInflight = 2}: replicas a(READY, 2), b(READY, 1), c(DRAINING, 0),
 * d(STARTING, 0) → ToReplica(b). With b at 2 as well → Buffer(ALL_BUSY), or Reject(429) when the
 * buffer already holds {@code capacity} requests.
 *
 * <p>Called once per lease: it allocates nothing but the {@link RouteDecision.ToReplica} it
 * returns.
 */
public final class Routing {
  /** HTTP status when the buffer is full. */
  public static final int TOO_MANY_REQUESTS = 429;

  private Routing() {}

  /**
   * @param replicas every replica of the function, in any order
   * @param maxInflight per-replica concurrency limit, 0 = unlimited
   * @param waiting requests already in the buffer
   * @param capacity how many requests the buffer may hold
   */
  public static RouteDecision route(
      List<? extends ReplicaView> replicas, int maxInflight, int waiting, int capacity) {
    if (waiting > 0) {
      return waiting < capacity ? RouteDecision.Buffer.OTHERS_WAITING : full(capacity);
    }
    ReplicaView best = null;
    boolean anyReady = false;
    for (int i = 0, n = replicas.size(); i < n; i++) {
      ReplicaView r = replicas.get(i);
      if (r.state() != ReplicaState.READY) {
        continue;
      }
      anyReady = true;
      if (maxInflight > 0 && r.inFlight() >= maxInflight) {
        continue;
      }
      if (best == null || better(r, best)) {
        best = r;
      }
    }
    if (best != null) {
      return new RouteDecision.ToReplica(best.id());
    }
    if (waiting >= capacity) {
      return full(capacity);
    }
    return anyReady ? RouteDecision.Buffer.ALL_BUSY : RouteDecision.Buffer.NO_REPLICA_READY;
  }

  private static boolean better(ReplicaView a, ReplicaView b) {
    if (a.inFlight() != b.inFlight()) {
      return a.inFlight() < b.inFlight();
    }
    return a.id().value().compareTo(b.id().value()) < 0;
  }

  private static RouteDecision full(int capacity) {
    return new RouteDecision.Reject(
        TOO_MANY_REQUESTS, "buffer full: " + capacity + " requests are already waiting");
  }
}
