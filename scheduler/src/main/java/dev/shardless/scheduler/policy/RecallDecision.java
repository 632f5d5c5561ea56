package dev.shardless.scheduler.policy;

import dev.shardless.scheduler.model.ReplicaId;
import java.util.List;

/** What {@link Recalls} decided about the slots a gateway node reports holding, with the reason. */
public sealed interface RecallDecision {
  /** The node may keep every slot it holds. */
  record Keep() implements RecallDecision {
    public static final Keep INSTANCE = new Keep();
  }

  /** The node gives back every slot it holds of this entity. */
  record RecallAll(String reason) implements RecallDecision {}

  /** The node gives back its slots on {@code replicas}. */
  record RecallReplicas(List<ReplicaId> replicas, String reason) implements RecallDecision {
    public RecallReplicas {
      replicas = List.copyOf(replicas);
    }
  }
}
