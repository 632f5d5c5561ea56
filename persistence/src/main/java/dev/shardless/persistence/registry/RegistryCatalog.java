package dev.shardless.persistence.registry;

import dev.shardless.persistence.PersistenceSettings;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.port.FunctionCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * {@link FunctionCatalog} backed by the sharded {@link FunctionRegistry} of each namespace, plus
 * the registry calls the gateway makes. Every call is one ask to the namespace's registry, wherever
 * in the cluster it runs, with the replies that serialize ({@link FunctionRegistry.Lookup}, {@link
 * FunctionRegistry.ListAll}). Continuations run on the actor system's dispatcher, never on the
 * common pool (DESIGN.md §6). A stage fails with a {@code TimeoutException} after {@code
 * shardless.persistence.ask-timeout}.
 *
 * <p>Requires {@link FunctionRegistry#init} (or another sharding init of {@link
 * FunctionRegistry#TYPE_KEY}) on this node, at least as a proxy.
 */
public final class RegistryCatalog implements FunctionCatalog {
  private final ClusterSharding sharding;
  private final Duration timeout;
  private final Executor executor;

  public RegistryCatalog(ActorSystem<?> system, Duration timeout) {
    this.sharding = ClusterSharding.get(system);
    this.timeout = timeout;
    this.executor = system.executionContext();
  }

  /** With the timeout from {@code shardless.persistence.ask-timeout}. */
  public static RegistryCatalog create(ActorSystem<?> system) {
    return new RegistryCatalog(
        system, PersistenceSettings.fromConfig(system.settings().config()).askTimeout());
  }

  @Override
  public CompletionStage<Optional<FunctionRecord>> lookup(FunctionId function) {
    return registry(function.namespace())
        .ask(
            (ActorRef<FunctionRegistry.Found> replyTo) ->
                new FunctionRegistry.Lookup(function.name(), replyTo),
            timeout)
        .thenApplyAsync(FunctionRegistry.Found::record, executor);
  }

  /** The functions of {@code namespace}, ordered by name. */
  public CompletionStage<List<FunctionRecord>> list(String namespace) {
    return registry(namespace)
        .ask(FunctionRegistry.ListAll::new, timeout)
        .thenApplyAsync(FunctionRegistry.Listing::functions, executor);
  }

  /** Deploys a new function: Applied, or Conflict when it exists. */
  public CompletionStage<FunctionRegistry.Reply> deploy(FunctionSpec spec) {
    return registry(spec.id().namespace())
        .ask(replyTo -> new FunctionRegistry.Deploy(spec, replyTo), timeout);
  }

  /** Replaces a function's definition: Applied, or NotFound. */
  public CompletionStage<FunctionRegistry.Reply> update(FunctionSpec spec) {
    return registry(spec.id().namespace())
        .ask(replyTo -> new FunctionRegistry.Update(spec, replyTo), timeout);
  }

  /** Deletes a function: Applied (with its last record), or NotFound. */
  public CompletionStage<FunctionRegistry.Reply> delete(FunctionId function) {
    return registry(function.namespace())
        .ask(replyTo -> new FunctionRegistry.Delete(function.name(), replyTo), timeout);
  }

  private EntityRef<FunctionRegistry.Command> registry(String namespace) {
    return sharding.entityRefFor(FunctionRegistry.TYPE_KEY, namespace);
  }
}
