package dev.shardless.k8s.platform;

import dev.shardless.k8s.Conventions;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.port.FunctionReplicas;
import dev.shardless.scheduler.port.ReplicaEvents;
import dev.shardless.scheduler.port.ReplicaPlatform;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicas as Kubernetes pods (issue 6). The operator makes one Deployment per function (named
 * after it, in the function's namespace, pods labelled {@code faas_function=<name>} and {@code
 * app.kubernetes.io/managed-by=shardless}); the function's entity owns that Deployment's replica
 * count and this platform writes it through the {@code scale} subresource. Each Ready pod (Ready
 * condition True, a pod IP, not terminating) is one replica with its own in-flight count.
 *
 * <ul>
 *   <li><b>Start</b>: the desired count rises; the id waits until a Ready pod no other id holds
 *       appears that was built from the id's spec (its {@code shardless.dev/spec-version}
 *       annotation is the spec's {@link dev.shardless.k8s.SpecVersion}), and is then reported ready
 *       at {@code podIP:port} (the container port named {@code http}, else 8080). Waiting ids bind
 *       first come, first served; scale-from-zero thus waits for the first Ready pod while the
 *       entity buffers requests, and a replica started after an update waits for a pod of the new
 *       spec, never taking a still-Ready pod of the old one. An id without such a pod after {@code
 *       readiness-timeout} is lost.
 *   <li><b>Stop</b>: the drained pod first gets {@code controller.kubernetes.io/pod-deletion-cost}
 *       {@code deletion-cost}, then the desired count falls, so the ReplicaSet (Kubernetes 1.22+)
 *       removes that pod; the id is reported stopped when the pod is gone. If it is still there
 *       after the stop's grace (an older cluster may remove another pod), it is deleted.
 *   <li><b>Lost</b>: a bound pod deleted, finished or turning NotReady without being asked is
 *       reported lost with a short reason, and the desired count falls.
 *   <li><b>Hand-off</b>: {@link FunctionReplicas#close()} writes nothing, so a rolling restart of
 *       the platform does not cold-start every function; the next incarnation's starts bind to the
 *       Ready pods of the current spec at once. One that asks nothing within {@code adopt-grace}
 *       writes its count (0).
 *   <li><b>Useless pods</b>: a pod no id holds and no waiting id can use (an old spec's pod during
 *       a rollout) gets the deletion cost on the next count write, so a scale-down or the rollout
 *       removes it first. Pods without the annotation (built by an operator from before it) serve
 *       any replica when none of its own spec is free; see {@link PodBook}.
 * </ul>
 *
 * <p>Watching: one shared pod informer per namespace (label {@code
 * app.kubernetes.io/managed-by=shardless}), indexed by {@code faas_function}, feeds the open
 * functions, not one watch per function. While the API server is unreachable the informer keeps its
 * cache, so known Ready pods stay routed; on reconnect it relists and reports what really changed.
 * Writes retry with backoff (see {@link ScaleWriter}).
 *
 * <p>Threads: no method blocks its caller. API calls run on the {@code blocking} executor given at
 * construction; timers fire through {@link CompletableFuture#delayedExecutor} onto it. State lost
 * when this JVM stops: the bookkeeping of which id holds which pod; the pods themselves stay and
 * the next incarnation adopts them.
 */
public final class KubernetesPlatform implements ReplicaPlatform {
  private static final Logger log = LoggerFactory.getLogger(KubernetesPlatform.class);

  /** Name of the informers' index by {@code faas_function}. */
  static final String FUNCTION_INDEX = "function";

  private final KubernetesClient client;
  private final KubernetesPlatformSettings settings;
  private final Executor blocking;
  private final Clock clock = Clock.systemUTC();
  private final ConcurrentMap<String, Namespace> namespaces = new ConcurrentHashMap<>();
  private final ConcurrentMap<FunctionId, PodReplicas> open = new ConcurrentHashMap<>();
  private volatile boolean shutDown;

  /** One namespace's shared informer and its first sync. */
  private record Namespace(SharedIndexInformer<Pod> informer, CompletionStage<Void> synced) {}

  /**
   * A platform driving {@code client} (not closed by this platform), doing every API call on {@code
   * blocking}.
   */
  public KubernetesPlatform(
      KubernetesClient client, KubernetesPlatformSettings settings, Executor blocking) {
    this.client = client;
    this.settings = settings;
    this.blocking = blocking;
  }

  @Override
  public FunctionReplicas open(FunctionId function, ReplicaEvents events) {
    PodReplicas replicas = new PodReplicas(this, function, events);
    if (shutDown) {
      return replicas; // its starts are answered lost
    }
    Namespace ns = namespaces.computeIfAbsent(function.namespace(), this::inform);
    open.put(function, replicas);
    ns.synced().thenRunAsync(replicas::podsChanged, blocking);
    replicas.armAdoption();
    return replicas;
  }

  @Override
  public boolean runsEnvProcess() {
    return false;
  }

  /** Stops reporting and closes the informers; scales nothing (the pods serve the next node). */
  @Override
  public CompletionStage<Void> shutdown() {
    shutDown = true;
    open.values().forEach(PodReplicas::close);
    namespaces.values().forEach(ns -> ns.informer().stop());
    namespaces.clear();
    return CompletableFuture.completedFuture(null);
  }

  private Namespace inform(String namespace) {
    SharedIndexInformer<Pod> informer =
        client
            .pods()
            .inNamespace(namespace)
            .withLabel(Conventions.MANAGED_BY_LABEL, Conventions.MANAGED_BY)
            .runnableInformer(settings.informerResync().toMillis());
    informer.addIndexers(Map.of(FUNCTION_INDEX, KubernetesPlatform::functionKey));
    informer.exceptionHandler(
        (started, t) -> {
          log.warn("Pod informer of namespace {}: {}; retrying", namespace, t.toString());
          return true; // keep the cache and retry: known Ready pods stay routed
        });
    informer.addEventHandler(new Dispatch(namespace));
    log.info("Watching the Shardless pods of namespace {}", namespace);
    return new Namespace(informer, informer.start());
  }

  private static List<String> functionKey(Pod pod) {
    String name = Pods.function(pod);
    return name == null ? List.of() : List.of(name);
  }

  /** Sends each pod change to the open replica set of the pod's function. */
  private final class Dispatch implements ResourceEventHandler<Pod> {
    private final String namespace;

    Dispatch(String namespace) {
      this.namespace = namespace;
    }

    @Override
    public void onAdd(Pod pod) {
      changed(pod);
    }

    @Override
    public void onUpdate(Pod before, Pod after) {
      changed(after);
    }

    @Override
    public void onDelete(Pod pod, boolean finalStateUnknown) {
      changed(pod);
    }

    private void changed(Pod pod) {
      String name = Pods.function(pod);
      if (name == null) {
        return;
      }
      PodReplicas replicas = open.get(new FunctionId(namespace, name));
      if (replicas != null) {
        replicas.podsChanged();
      }
    }
  }

  // ---- What PodReplicas and ScaleWriter use ----

  KubernetesPlatformSettings settings() {
    return settings;
  }

  Executor blocking() {
    return blocking;
  }

  Clock clock() {
    return clock;
  }

  boolean isShutDown() {
    return shutDown;
  }

  void closed(PodReplicas replicas) {
    open.remove(replicas.function(), replicas);
  }

  /** True while the informer of {@code namespace} has a live watch on the API server. */
  boolean watching(String namespace) {
    Namespace ns = namespaces.get(namespace);
    return ns != null && ns.informer().isWatching();
  }

  /** The pods of {@code function} in the informer's cache. */
  List<PodView> pods(FunctionId function) {
    Namespace ns = namespaces.get(function.namespace());
    if (ns == null) {
      return List.of();
    }
    return ns.informer().getIndexer().byIndex(FUNCTION_INDEX, function.name()).stream()
        .map(p -> Pods.view(p, settings.deletionCost()))
        .toList();
  }

  /**
   * Runs {@code task} on the blocking executor after {@code delay}, unless the platform has shut
   * down by then (it writes nothing after {@link #shutdown()}).
   */
  void after(Duration delay, Runnable task) {
    CompletableFuture.runAsync(
            () -> {
              if (!shutDown) {
                task.run();
              }
            },
            CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, blocking))
        .exceptionally(
            e -> {
              log.warn("Platform timer task failed", e);
              return null;
            });
  }

  /** Scales the function's Deployment (blocking; on the executor only). */
  void scale(FunctionId function, int replicas) {
    client
        .apps()
        .deployments()
        .inNamespace(function.namespace())
        .withName(function.name())
        .scale(replicas);
  }

  /** Gives {@code pod} the low deletion cost (blocking); a pod already gone is fine. */
  void mark(String namespace, String pod) {
    annotate(namespace, pod, "\"" + settings.deletionCost() + "\"");
  }

  /** Takes the low deletion cost off {@code pod} again, on the blocking executor. */
  void unmarkLater(String namespace, String pod) {
    try {
      blocking.execute(
          () -> {
            try {
              annotate(namespace, pod, "null");
            } catch (KubernetesClientException e) {
              log.warn("Could not unmark pod {}/{}: {}", namespace, pod, e.toString());
            }
          });
    } catch (RejectedExecutionException e) {
      log.debug("Pod {}/{} left marked: the platform is stopping", namespace, pod);
    }
  }

  private void annotate(String namespace, String pod, String jsonValue) {
    String patch =
        "{\"metadata\":{\"annotations\":{\""
            + Conventions.POD_DELETION_COST
            + "\":"
            + jsonValue
            + "}}}";
    try {
      client
          .pods()
          .inNamespace(namespace)
          .withName(pod)
          .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e;
      }
    }
  }

  /** Deletes {@code pod} (blocking); failures are logged, a pod already gone is fine. */
  void deletePod(String namespace, String pod) {
    try {
      client.pods().inNamespace(namespace).withName(pod).delete();
    } catch (KubernetesClientException e) {
      log.warn("Could not delete pod {}/{}: {}", namespace, pod, e.toString());
    }
  }
}
