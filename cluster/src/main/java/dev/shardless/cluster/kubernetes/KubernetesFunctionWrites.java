package dev.shardless.cluster.kubernetes;

import dev.shardless.cluster.gateway.BadRequest;
import dev.shardless.cluster.gateway.Failures;
import dev.shardless.cluster.gateway.FunctionWrites;
import dev.shardless.cluster.gateway.Unavailable;
import dev.shardless.k8s.crd.FunctionResources;
import dev.shardless.persistence.registry.FunctionRegistry;
import dev.shardless.persistence.registry.RegistryCatalog;
import dev.shardless.scheduler.model.FieldError;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The REST API's writes on Kubernetes. The Function resource is written first: it is the source of
 * truth, and a write the API server refuses changes nothing. The registry is then written at once
 * as well, so the function answers on every node without waiting for the operator's echo (which
 * finds the registry already equal and does nothing).
 */
final class KubernetesFunctionWrites implements FunctionWrites {
  private final FunctionResources resources;
  private final CatalogRegistrySync registry;
  private final RegistryCatalog catalog;
  private final Executor ec;

  KubernetesFunctionWrites(
      FunctionResources resources,
      CatalogRegistrySync registry,
      RegistryCatalog catalog,
      Executor ec) {
    this.resources = resources;
    this.registry = registry;
    this.catalog = catalog;
    this.ec = ec;
  }

  @Override
  public CompletionStage<FunctionRegistry.Reply> deploy(FunctionSpec spec) {
    return thenRegistry(
        resources.create(spec),
        spec,
        FunctionResources.Conflict.class,
        new FunctionRegistry.Conflict(spec.id().name()));
  }

  @Override
  public CompletionStage<FunctionRegistry.Reply> update(FunctionSpec spec) {
    return thenRegistry(
        resources.replace(spec),
        spec,
        FunctionResources.NotFound.class,
        new FunctionRegistry.NotFound(spec.id().name()));
  }

  /**
   * After the Function write: {@code refused} when the API server found it {@code refusal} (exists
   * already, or not there), else the spec put in force in the registry too.
   */
  private CompletionStage<FunctionRegistry.Reply> thenRegistry(
      CompletionStage<FunctionResources.Result> write,
      FunctionSpec spec,
      Class<? extends FunctionResources.Result> refusal,
      FunctionRegistry.Reply refused) {
    return write
        .handleAsync(KubernetesFunctionWrites::orFail, ec)
        .thenComposeAsync(
            result ->
                refusal.isInstance(result)
                    ? CompletableFuture.completedFuture(refused)
                    : registry.write(spec),
            ec);
  }

  @Override
  public CompletionStage<FunctionRegistry.Reply> delete(FunctionId function) {
    return resources
        .delete(function)
        .handleAsync(KubernetesFunctionWrites::orFail, ec)
        // Deleted from the registry either way: a record that no Function backs any more (the
        // operator has not caught up with a kubectl delete yet) must not linger.
        .thenComposeAsync(
            result ->
                catalog
                    .delete(function)
                    .thenApply(
                        reply ->
                            reply instanceof FunctionRegistry.NotFound
                                    && !(result instanceof FunctionResources.NotFound)
                                // The Function existed; the registry had not caught up yet.
                                ? new FunctionRegistry.Applied(null)
                                : reply),
            ec);
  }

  /** Passes a result on; turns the API server's refusal into a 400 or a 503. */
  private static <T> T orFail(T result, Throwable error) {
    if (error == null) {
      return result;
    }
    Throwable cause = Failures.cause(error);
    if (cause instanceof KubernetesClientException k && k.getCode() == 422) {
      throw new CompletionException(new BadRequest(fieldErrors(k.getStatus())));
    }
    throw new Unavailable(
        "the Kubernetes API server did not accept the change ("
            + cause.getMessage()
            + "); try again",
        cause);
  }

  /** The schema's complaints, named by the FunctionDeployment field they concern. */
  static List<FieldError> fieldErrors(Status status) {
    List<FieldError> errors = new ArrayList<>();
    if (status != null && status.getDetails() != null && status.getDetails().getCauses() != null) {
      for (StatusCause c : status.getDetails().getCauses()) {
        String field = c.getField() == null ? "spec" : c.getField();
        errors.add(
            new FieldError(
                field.startsWith("spec.") ? field.substring("spec.".length()) : field,
                c.getMessage() == null ? "is invalid" : c.getMessage()));
      }
    }
    if (errors.isEmpty()) {
      errors.add(
          new FieldError(
              "spec",
              status == null || status.getMessage() == null
                  ? "was refused by the Kubernetes API server"
                  : status.getMessage()));
    }
    return errors;
  }
}
