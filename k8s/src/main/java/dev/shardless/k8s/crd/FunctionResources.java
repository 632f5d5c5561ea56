package dev.shardless.k8s.crd;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The REST API's writes in Kubernetes mode, where Function resources are the source of truth: a
 * deploy creates a Function, an update replaces its spec, a delete deletes it, and the operator
 * carries each change into the registry and the cluster. Every fabric8 call is blocking and runs on
 * the executor given at construction, never on the caller's thread.
 */
public final class FunctionResources {
  /**
   * Attempts at a replace that keeps meeting a newer resourceVersion (another writer, or the
   * operator's status write, got in between) before the conflict is reported as an error.
   */
  static final int REPLACE_ATTEMPTS = 10;

  private final KubernetesClient client;
  private final Executor blocking;

  public FunctionResources(KubernetesClient client, Executor blocking) {
    this.client = Objects.requireNonNull(client, "client");
    this.blocking = Objects.requireNonNull(blocking, "blocking");
  }

  /** What a write did. */
  public sealed interface Result {}

  /** The Function was created. */
  public record Created(FunctionResource resource) implements Result {}

  /** The Function's spec was replaced; its metadata kept. */
  public record Replaced(FunctionResource resource) implements Result {}

  /** The Function was deleted; {@code resource} is what it held. */
  public record Deleted(FunctionResource resource) implements Result {}

  /** A Function of that name already exists. */
  public record Conflict(FunctionId function) implements Result {}

  /** No Function of that name exists. */
  public record NotFound(FunctionId function) implements Result {}

  /** Creates the Function for {@code spec}; {@link Conflict} when one of that name exists. */
  public CompletionStage<Result> create(FunctionSpec spec) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return new Created(
                functions(spec.id()).resource(FunctionMapping.toResource(spec)).create());
          } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
              return new Conflict(spec.id());
            }
            throw e;
          }
        },
        blocking);
  }

  /**
   * Replaces the spec of the Function {@code spec} names, keeping its metadata (labels,
   * annotations, owner references of other tools) and status; {@link NotFound} when it is absent. A
   * write that meets a newer resourceVersion reads again and retries.
   */
  public CompletionStage<Result> replace(FunctionSpec spec) {
    return CompletableFuture.supplyAsync(() -> replaceNow(spec), blocking);
  }

  private Result replaceNow(FunctionSpec spec) {
    FunctionResourceSpec desired = FunctionMapping.toResource(spec).getSpec();
    KubernetesClientException last = null;
    for (int attempt = 0; attempt < REPLACE_ATTEMPTS; attempt++) {
      FunctionResource current = function(spec.id()).get();
      if (current == null) {
        return new NotFound(spec.id());
      }
      current.setSpec(desired);
      try {
        return new Replaced(functions(spec.id()).resource(current).update());
      } catch (KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
          return new NotFound(spec.id());
        }
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        last = e;
      }
    }
    throw last;
  }

  /** Deletes the Function; {@link NotFound} when it is absent. */
  public CompletionStage<Result> delete(FunctionId id) {
    return CompletableFuture.supplyAsync(
        () -> {
          FunctionResource current = function(id).get();
          if (current == null || function(id).delete().isEmpty()) {
            return new NotFound(id);
          }
          return new Deleted(current);
        },
        blocking);
  }

  /** The Function, or empty. */
  public CompletionStage<Optional<FunctionResource>> get(FunctionId id) {
    return CompletableFuture.supplyAsync(() -> Optional.ofNullable(function(id).get()), blocking);
  }

  private NonNamespaceOperation<
          FunctionResource, KubernetesResourceList<FunctionResource>, Resource<FunctionResource>>
      functions(FunctionId id) {
    return client.resources(FunctionResource.class).inNamespace(id.namespace());
  }

  private Resource<FunctionResource> function(FunctionId id) {
    return functions(id).withName(id.name());
  }
}
