package dev.shardless.scheduler.port;

import dev.shardless.scheduler.model.ReplicaId;

/**
 * What a platform reports about the replicas of one function. Called from any thread; the entity's
 * implementation only sends itself a message. Each replica ends with exactly one of {@link #lost}
 * or {@link #stopped}.
 */
public interface ReplicaEvents {
  /** The replica accepts requests at {@code endpoint}. */
  void ready(ReplicaId id, ReplicaEndpoint endpoint);

  /**
   * The replica is gone without being asked to stop: it failed to start, never became ready in
   * time, or exited. {@code reason} is short and fit to show a user ("exited with code 1").
   */
  void lost(ReplicaId id, String reason);

  /** The replica was stopped as asked by {@link FunctionReplicas#stop}; nothing of it runs. */
  void stopped(ReplicaId id);
}
