package dev.shardless.scheduler.policy;

import dev.shardless.scheduler.model.ReplicaId;

/** What {@link Routing} decided for one lease, with the reason. */
public sealed interface RouteDecision {
  /** Lease a slot on {@code replica}. */
  record ToReplica(ReplicaId replica) implements RouteDecision {}

  /**
   * Hold the request until a slot frees or a replica becomes ready. The instances are constants so
   * that buffering allocates no decision.
   */
  record Buffer(String reason) implements RouteDecision {
    public static final Buffer NO_REPLICA_READY = new Buffer("no replica is ready");
    public static final Buffer ALL_BUSY = new Buffer("every ready replica is at max_inflight");
    public static final Buffer OTHERS_WAITING =
        new Buffer("earlier requests are waiting (first come, first served)");
  }

  /** Answer at once with HTTP {@code status}. */
  record Reject(int status, String reason) implements RouteDecision {}
}
