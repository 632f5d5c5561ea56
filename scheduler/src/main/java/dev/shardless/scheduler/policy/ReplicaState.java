package dev.shardless.scheduler.policy;

/** Where a replica is in its life, as the entity sees it. */
public enum ReplicaState {
  /** Asked to start; not yet ready. Takes no leases. */
  STARTING,
  /** Accepts leases. */
  READY,
  /** Chosen to go: takes no new leases, stopped once its in-flight count is zero. */
  DRAINING
}
