package dev.shardless.cluster.gateway;

import dev.shardless.persistence.registry.FunctionRegistry;
import dev.shardless.persistence.registry.RegistryCatalog;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import java.util.concurrent.CompletionStage;

/**
 * Where the REST API's deploys, updates and deletes go: straight to the registry on the local
 * platform; on Kubernetes to the Function resources first (the source of truth there), then the
 * registry.
 */
public interface FunctionWrites {
  /** Deploys a new function: Applied, or Conflict when it exists. */
  CompletionStage<FunctionRegistry.Reply> deploy(FunctionSpec spec);

  /** Replaces a function's definition: Applied, or NotFound. */
  CompletionStage<FunctionRegistry.Reply> update(FunctionSpec spec);

  /** Deletes a function: Applied, or NotFound. */
  CompletionStage<FunctionRegistry.Reply> delete(FunctionId function);

  /** Writes to the registry alone. */
  static FunctionWrites registry(RegistryCatalog catalog) {
    return new FunctionWrites() {
      @Override
      public CompletionStage<FunctionRegistry.Reply> deploy(FunctionSpec spec) {
        return catalog.deploy(spec);
      }

      @Override
      public CompletionStage<FunctionRegistry.Reply> update(FunctionSpec spec) {
        return catalog.update(spec);
      }

      @Override
      public CompletionStage<FunctionRegistry.Reply> delete(FunctionId function) {
        return catalog.delete(function);
      }
    };
  }
}
