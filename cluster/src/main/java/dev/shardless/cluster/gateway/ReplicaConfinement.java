package dev.shardless.cluster.gateway;

import dev.shardless.scheduler.model.FunctionId;
import java.util.Map;

/**
 * What confines a function's replicas on this node (sandbox, memory and CPU enforcement), for the
 * {@code confinement} field of {@code FunctionStatus}; empty when no replica runs here.
 */
@FunctionalInterface
public interface ReplicaConfinement {
  /** {@code sandbox}, {@code memory} and {@code cpu} as applied, or empty. */
  Map<String, String> of(FunctionId function);

  /** Knows nothing (platforms without local replicas). */
  ReplicaConfinement NONE = function -> Map.of();
}
