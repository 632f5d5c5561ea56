package dev.shardless.k8s.operator;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The operator's way into the platform's function registry. In Kubernetes mode Function resources
 * are the source of truth: the operator copies every Function's spec into the registry (which
 * configures the function's entity) and removes what no Function backs any more, so {@code kubectl
 * apply}, {@code kubectl delete} and the REST API agree.
 */
public interface RegistrySync {
  /** The functions the registry holds in {@code namespace}. */
  CompletionStage<List<FunctionId>> list(String namespace);

  /** Puts {@code spec} in force: deploys it, or updates the function when its spec differs. */
  CompletionStage<Void> put(FunctionSpec spec);

  /** Removes the function from the registry; completes normally when it was not there. */
  CompletionStage<Void> remove(FunctionId function);
}
