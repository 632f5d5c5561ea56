package dev.shardless.scheduler.policy;

import dev.shardless.scheduler.model.ReplicaId;

/** One step of a {@link Reconcile} plan, with the reason the entity logs. */
public sealed interface ReconcileAction {
  String reason();

  /** Start {@code count} replicas of the current version. */
  record Start(int count, String reason) implements ReconcileAction {}

  /** Stop {@code replica} now: it is starting, idle, or its drain timed out. */
  record StopNow(ReplicaId replica, String reason) implements ReconcileAction {}

  /** Stop giving {@code replica} leases; stop it once its in-flight count reaches zero. */
  record Drain(ReplicaId replica, String reason) implements ReconcileAction {}

  /** Give a draining replica leases again instead of starting a new one. */
  record Undrain(ReplicaId replica, String reason) implements ReconcileAction {}
}
