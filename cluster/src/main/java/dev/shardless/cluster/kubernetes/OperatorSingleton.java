package dev.shardless.cluster.kubernetes;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Runs the Function operator on exactly one node of the cluster (a Cluster Singleton): it starts
 * when this node becomes the singleton's host and closes its informers when the node leaves or
 * hands the singleton over, so two reconcilers never write the same objects.
 */
final class OperatorSingleton {
  /** What the singleton understands: only its own stop. */
  enum Command {
    STOP
  }

  private OperatorSingleton() {}

  /** Starts the singleton's manager on this node; {@code operator} runs where it is hosted. */
  static void init(ActorSystem<?> system, Supplier<AutoCloseable> operator) {
    ClusterSingleton.get(system)
        .init(
            SingletonActor.of(
                    Behaviors.supervise(behavior(operator))
                        // A failed start (API server away, CRD missing) is retried, slower and
                        // slower, instead of leaving the cluster without an operator.
                        .onFailure(
                            SupervisorStrategy.restartWithBackoff(
                                Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2)),
                    "function-operator")
                .withStopMessage(Command.STOP));
  }

  private static Behavior<Command> behavior(Supplier<AutoCloseable> operator) {
    return Behaviors.setup(
        ctx -> {
          AutoCloseable running = operator.get();
          // A leaving node stops reconciling before its shard regions stop (the singleton itself
          // only moves when the node exits the cluster, later): its registry writes would fail.
          Cancellable stopOnLeave =
              CoordinatedShutdown.get(ctx.getSystem())
                  .addCancellableTask(
                      CoordinatedShutdown.PhaseBeforeClusterShutdown(),
                      "shardless-function-operator",
                      () -> {
                        closeOperator(running);
                        return CompletableFuture.completedFuture(Done.done());
                      });
          ctx.getLog().info("function operator started on this node");
          return Behaviors.receive(Command.class)
              .onMessageEquals(Command.STOP, Behaviors::stopped)
              .onSignal(
                  PostStop.class,
                  signal -> {
                    stopOnLeave.cancel();
                    closeOperator(running);
                    ctx.getLog().info("function operator stopped on this node");
                    return Behaviors.same();
                  })
              .build();
        });
  }

  private static void closeOperator(AutoCloseable operator) {
    try {
      operator.close();
    } catch (Exception e) {
      throw new IllegalStateException("the function operator did not close", e);
    }
  }
}
