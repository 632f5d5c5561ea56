package dev.shardless.scheduler.port;

import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.ReplicaId;
import java.time.Duration;

/**
 * The replicas of one function on a platform, as driven by that function's entity. Every method
 * returns at once and never blocks; outcomes arrive through the {@link ReplicaEvents} given to
 * {@link ReplicaPlatform#open}.
 */
public interface FunctionReplicas {
  /** Starts a replica of {@code spec} named {@code id}; reports ready or lost later. */
  void start(ReplicaId id, FunctionSpec spec);

  /**
   * Stops a replica: a polite signal first, then a hard kill of everything it started after {@code
   * grace}. Reports stopped later. Unknown ids are reported stopped at once.
   */
  void stop(ReplicaId id, Duration grace);

  /**
   * The entity is stopping (hand-off, passivation, node shutdown): nothing is reported afterwards.
   * Local processes stop at once; pods on Kubernetes stay, for the function's next entity to take
   * over without a cold start.
   */
  void close();
}
