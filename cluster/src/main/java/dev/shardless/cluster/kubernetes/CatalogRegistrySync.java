package dev.shardless.cluster.kubernetes;

import dev.shardless.k8s.operator.RegistrySync;
import dev.shardless.persistence.registry.FunctionRegistry;
import dev.shardless.persistence.registry.RegistryCatalog;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import dev.shardless.scheduler.model.FunctionSpec;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The operator's writes into the durable, sharded function registry: a Function's spec put in force
 * only when it differs from what the registry holds (so the REST API's own registry write and the
 * operator's echo of it configure the entity once).
 */
final class CatalogRegistrySync implements RegistrySync {
  private final RegistryCatalog catalog;
  private final Executor ec;

  CatalogRegistrySync(RegistryCatalog catalog, Executor ec) {
    this.catalog = catalog;
    this.ec = ec;
  }

  @Override
  public CompletionStage<List<FunctionId>> list(String namespace) {
    return catalog
        .list(namespace)
        .thenApplyAsync(records -> records.stream().map(r -> r.spec().id()).toList(), ec);
  }

  @Override
  public CompletionStage<Void> put(FunctionSpec spec) {
    return write(spec).thenApply(reply -> null);
  }

  /**
   * Puts {@code spec} in force as {@link #put} does; answers what the registry holds then (the REST
   * API's deploy and update reply with it).
   */
  CompletionStage<FunctionRegistry.Reply> write(FunctionSpec spec) {
    return catalog.lookup(spec.id()).thenComposeAsync(found -> writeOver(found, spec), ec);
  }

  private CompletionStage<FunctionRegistry.Reply> writeOver(
      Optional<FunctionRecord> found, FunctionSpec spec) {
    if (found.isPresent() && found.get().spec().equals(spec)) {
      return CompletableFuture.completedFuture(new FunctionRegistry.Applied(found.get()));
    }
    CompletionStage<FunctionRegistry.Reply> write =
        found.isPresent() ? catalog.update(spec) : catalog.deploy(spec);
    return write.thenComposeAsync(
        reply -> {
          // Raced with a REST write or a delete: put it in force the other way.
          if (reply instanceof FunctionRegistry.Conflict) {
            return catalog.update(spec);
          }
          if (reply instanceof FunctionRegistry.NotFound) {
            return catalog.deploy(spec);
          }
          return CompletableFuture.completedFuture(reply);
        },
        ec);
  }

  @Override
  public CompletionStage<Void> remove(FunctionId function) {
    return catalog.delete(function).thenApply(reply -> null);
  }
}
