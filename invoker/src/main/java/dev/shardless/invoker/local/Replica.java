package dev.shardless.invoker.local;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** One running replica of a function on this node, whatever its mode. */
interface Replica {
  /** Starts it; returns at once, reports ready or lost later. */
  void start();

  /**
   * Stops it: SIGTERM to its process groups, SIGKILL after {@code grace}; reports stopped when
   * nothing of it runs, unless {@code report} is false. Does nothing once it has ended.
   */
  void stop(Duration grace, boolean report);

  /** Completes when nothing of it runs any more and its one terminal event has been reported. */
  CompletionStage<Void> terminated();

  /** What confines its processes: sandbox, memory and CPU limits as applied on this machine. */
  Confinement confinement();
}
