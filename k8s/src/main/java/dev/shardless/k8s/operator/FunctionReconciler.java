package dev.shardless.k8s.operator;

import dev.shardless.k8s.Conventions;
import dev.shardless.k8s.crd.FunctionMapping;
import dev.shardless.k8s.crd.FunctionResource;
import dev.shardless.k8s.crd.FunctionResourceStatus;
import dev.shardless.scheduler.model.FieldError;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconciliation pass for one Function, blocking: checks the spec, applies the Deployment and
 * Service {@link FunctionObjects} builds, puts the spec in the registry and writes the status; or,
 * when the Function is gone, takes it out of the registry and deletes what the operator built. Runs
 * only on the {@link FunctionOperator}'s worker thread; throws on API-server or registry failures,
 * which the operator retries with backoff.
 *
 * <p>An invalid Function gets {@code Ready=False/InvalidSpec} and nothing else: an invalid change
 * to a running function leaves its last valid Deployment and registry entry serving, as a failed
 * rollout would. A Deployment or Service of the same name that Shardless does not manage (no {@code
 * app.kubernetes.io/managed-by=shardless}) is never taken over; the pass fails saying so.
 */
final class FunctionReconciler {
  private static final Logger log = LoggerFactory.getLogger(FunctionReconciler.class);

  /** How long a registry call may take before the pass fails and is retried. */
  static final Duration REGISTRY_TIMEOUT = Duration.ofSeconds(30);

  /** Immediate re-reads when a write meets a newer resourceVersion (e.g. the entity scaled). */
  private static final int CONFLICT_ATTEMPTS = 5;

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private final KubernetesClient client;
  private final RegistrySync registry;
  private final Clock clock;

  FunctionReconciler(KubernetesClient client, RegistrySync registry, Clock clock) {
    this.client = client;
    this.registry = registry;
    this.clock = clock;
  }

  /** Brings the cluster and the registry in line with {@code fn}. */
  void reconcile(FunctionResource fn) {
    FunctionSpec spec = FunctionMapping.toSpec(fn);
    if (fn.getMetadata().getDeletionTimestamp() != null) {
      await(registry.remove(spec.id()), "remove " + spec.id() + " from the registry");
      return;
    }
    List<FieldError> problems = FunctionChecks.problems(fn, spec);
    if (!problems.isEmpty()) {
      if (writeStatus(fn, FunctionStatuses.invalid(fn, problems, clock.instant()))) {
        log.info("Function {} is invalid: {}", spec.id(), problems);
      }
      return;
    }
    Deployment live = applyDeployment(fn, spec);
    applyService(fn, spec);
    await(registry.put(spec), "put " + spec.id() + " in the registry");
    writeStatus(fn, FunctionStatuses.observed(fn, live, clock.instant()));
  }

  /** The Function {@code id} is gone: out of the registry, then its Deployment and Service. */
  void cleanUp(FunctionId id) {
    await(registry.remove(id), "remove " + id + " from the registry");
    var deployment = client.apps().deployments().inNamespace(id.namespace()).withName(id.name());
    if (managed(deployment.get(), id.name())) {
      deployment.delete();
    }
    var service = client.services().inNamespace(id.namespace()).withName(id.name());
    if (managed(service.get(), id.name())) {
      service.delete();
    }
  }

  /** Records a failed pass on the Function's status; best effort, since the API may be down. */
  void recordFailure(FunctionResource fn, Exception failure) {
    try {
      writeStatus(
          fn,
          FunctionStatuses.failed(
              fn,
              FunctionStatuses.RECONCILE_FAILED,
              String.valueOf(failure.getMessage()),
              clock.instant()));
    } catch (RuntimeException e) {
      log.debug("Could not record the failure on {}: {}", fn.getMetadata().getName(), e.toString());
    }
  }

  private Deployment applyDeployment(FunctionResource fn, FunctionSpec spec) {
    var deployments = client.apps().deployments().inNamespace(spec.id().namespace());
    return withConflictRetry(
        () -> {
          Deployment live = deployments.withName(spec.id().name()).get();
          if (live == null) {
            return deployments.resource(FunctionObjects.deployment(fn, spec, null)).create();
          }
          requireManaged(live, spec.id());
          Deployment desired = FunctionObjects.deployment(fn, spec, live.getSpec().getReplicas());
          if (sameBuild(live, desired)) {
            return live;
          }
          keepForeignMetadata(live, desired);
          return deployments.resource(desired).update();
        });
  }

  private void applyService(FunctionResource fn, FunctionSpec spec) {
    var services = client.services().inNamespace(spec.id().namespace());
    withConflictRetry(
        () -> {
          Service live = services.withName(spec.id().name()).get();
          Service desired = FunctionObjects.service(fn, spec);
          if (live == null) {
            return services.resource(desired).create();
          }
          requireManaged(live, spec.id());
          if (sameBuild(live, desired)) {
            return live;
          }
          keepForeignMetadata(live, desired);
          desired.getSpec().setClusterIP(live.getSpec().getClusterIP());
          desired.getSpec().setClusterIPs(live.getSpec().getClusterIPs());
          return services.resource(desired).update();
        });
  }

  /**
   * Writes {@code status} unless the Function already has it: a JSON patch that sets the whole
   * status subresource, without a resourceVersion, so it never conflicts with spec edits (and
   * replaces the conditions list, which a merge patch on fabric8's mock would append to). True when
   * written.
   */
  private boolean writeStatus(FunctionResource fn, FunctionResourceStatus status) {
    if (Objects.equals(fn.getStatus(), status)) {
      return false;
    }
    client
        .resources(FunctionResource.class)
        .inNamespace(fn.getMetadata().getNamespace())
        .withName(fn.getMetadata().getName())
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON),
            JSON.asJson(List.of(Map.of("op", "add", "path", "/status", "value", status))));
    return true;
  }

  /** True when the live object carries the hash of {@code desired} and the same owner. */
  private static boolean sameBuild(HasMetadata live, HasMetadata desired) {
    return Objects.equals(annotation(live), annotation(desired))
        && Objects.equals(
            live.getMetadata().getOwnerReferences(), desired.getMetadata().getOwnerReferences());
  }

  private static String annotation(HasMetadata o) {
    Map<String, String> a = o.getMetadata().getAnnotations();
    return a == null ? null : a.get(FunctionObjects.SPEC_HASH_ANNOTATION);
  }

  /** Keeps the labels, annotations and resourceVersion others put on the live object. */
  private static void keepForeignMetadata(HasMetadata live, HasMetadata desired) {
    desired.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
    desired
        .getMetadata()
        .setLabels(merged(live.getMetadata().getLabels(), desired.getMetadata().getLabels()));
    desired
        .getMetadata()
        .setAnnotations(
            merged(live.getMetadata().getAnnotations(), desired.getMetadata().getAnnotations()));
  }

  private static Map<String, String> merged(Map<String, String> live, Map<String, String> ours) {
    Map<String, String> m = new TreeMap<>();
    if (live != null) {
      m.putAll(live);
    }
    if (ours != null) {
      m.putAll(ours);
    }
    return m;
  }

  private static boolean managed(HasMetadata o, String function) {
    if (o == null || o.getMetadata().getLabels() == null) {
      return false;
    }
    Map<String, String> labels = o.getMetadata().getLabels();
    return Conventions.MANAGED_BY.equals(labels.get(Conventions.MANAGED_BY_LABEL))
        && function.equals(labels.get(Conventions.FUNCTION_LABEL));
  }

  private static void requireManaged(HasMetadata live, FunctionId id) {
    if (!managed(live, id.name())) {
      throw new IllegalStateException(
          live.getKind()
              + " "
              + id.name()
              + " exists in namespace "
              + id.namespace()
              + " but Shardless does not manage it (label "
              + Conventions.MANAGED_BY_LABEL
              + "="
              + Conventions.MANAGED_BY
              + "); rename the function or remove that object");
    }
  }

  private static <T> T withConflictRetry(Supplier<T> write) {
    for (int attempt = 1; ; attempt++) {
      try {
        return write.get();
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt >= CONFLICT_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /** Waits for a registry call, up to {@link #REGISTRY_TIMEOUT}; throws saying what failed. */
  static <T> T await(CompletionStage<T> stage, String what) {
    try {
      return stage.toCompletableFuture().get(REGISTRY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to " + what, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "could not " + what + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "could not " + what + " within " + REGISTRY_TIMEOUT.toSeconds() + " s", e);
    }
  }
}
