package dev.shardless.scheduler.port;

import dev.shardless.scheduler.model.FunctionId;
import java.util.concurrent.CompletionStage;

/**
 * Where replicas run: local OS processes (invoker) or Kubernetes pods (k8s). The scheduler decides;
 * the platform carries the decisions out.
 */
public interface ReplicaPlatform {
  /** Opens the replica set of one function for one entity incarnation. */
  FunctionReplicas open(FunctionId function, ReplicaEvents events);

  /**
   * True when the platform runs the spec's {@code envProcess} itself (local processes), so a
   * function without one cannot run there.
   */
  boolean runsEnvProcess();

  /** Stops every replica of every function; completes when none runs any more. */
  CompletionStage<Void> shutdown();
}
