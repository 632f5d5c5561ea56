package dev.shardless.k8s.operator;

import dev.shardless.k8s.Conventions;
import dev.shardless.k8s.crd.FunctionResource;
import dev.shardless.scheduler.model.FunctionId;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Function operator: keeps each Function's Deployment, Service, registry entry and status in
 * line with its spec, in the namespaces it watches. Start it with {@link #start} on one node (the
 * cluster singleton); {@link #close} stops it.
 *
 * <p>fabric8 informers watch the Functions and the Deployments labelled {@code
 * app.kubernetes.io/managed-by=shardless}; their callbacks only queue the Function's {@code
 * namespace/name}, so they never throw. One worker thread takes each queued key once (a key queued
 * again while waiting is merged) and runs a {@link FunctionReconciler} pass against the informer's
 * cached Function. A failed pass is logged, recorded as {@code Ready=False/ReconcileFailed} where
 * the API server allows, and queued again after a backoff that doubles from {@value
 * #FIRST_RETRY_MILLIS} ms to {@value #MAX_RETRY_MILLIS} ms. An invalid Function is a status, not a
 * failure: the others carry on. Informers list again every {@value #RESYNC_MILLIS} ms and after a
 * lost watch, which reconciles every Function again.
 *
 * <p>After the first list of every namespace, the registry's functions that no Function backs are
 * removed ({@link #synced()} completes then). State: only the queue and retry counts, all rebuilt
 * from the API server when the operator starts elsewhere.
 */
public final class FunctionOperator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FunctionOperator.class);

  static final long RESYNC_MILLIS = Duration.ofMinutes(10).toMillis();
  static final long FIRST_RETRY_MILLIS = 500;
  static final long MAX_RETRY_MILLIS = Duration.ofMinutes(5).toMillis();

  private final List<String> namespaces;
  private final RegistrySync registry;
  private final FunctionReconciler reconciler;
  private final ScheduledExecutorService worker;
  private final Map<String, SharedIndexInformer<FunctionResource>> functions =
      new ConcurrentHashMap<>();
  private final List<SharedIndexInformer<Deployment>> deployments = new CopyOnWriteArrayList<>();
  private final Set<String> queued = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> failures = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> synced = new CompletableFuture<>();
  private volatile boolean closed;

  private FunctionOperator(
      KubernetesClient client, List<String> namespaces, RegistrySync registry) {
    this.namespaces = List.copyOf(namespaces);
    this.registry = registry;
    this.reconciler = new FunctionReconciler(client, registry, Clock.systemUTC());
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "shardless-function-operator");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts watching {@code namespaces} and returns at once; the informers list and reconcile in the
   * background, retrying while the API server (or the CRD) is not there.
   */
  public static FunctionOperator start(
      KubernetesClient client, List<String> namespaces, RegistrySync registry) {
    if (namespaces.isEmpty()) {
      throw new IllegalArgumentException("the operator needs at least one namespace to watch");
    }
    FunctionOperator operator = new FunctionOperator(client, namespaces, registry);
    operator.startInformers(client);
    return operator;
  }

  /** Completes once every namespace was listed and the registry's orphans were removed. */
  public CompletionStage<Void> synced() {
    return synced;
  }

  /** Creates or updates the Function CRD from {@link Conventions#CRD_RESOURCE} (dev and tests). */
  public static void installCrd(KubernetesClient client) {
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(functionCrd())
        .createOr(NonDeletingOperation::update);
  }

  /** The Function CRD as shipped in {@code k8s/deploy/base/function-crd.yaml}. */
  public static CustomResourceDefinition functionCrd() {
    try (InputStream in = FunctionOperator.class.getResourceAsStream(Conventions.CRD_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(Conventions.CRD_RESOURCE + " is not on the classpath");
      }
      return new KubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    closed = true;
    functions.values().forEach(SharedIndexInformer::stop);
    deployments.forEach(SharedIndexInformer::stop);
    worker.shutdownNow();
  }

  /**
   * Creates every informer, then starts the Function informers, and the Deployment informers only
   * once those have listed: a Deployment event never finds a Function store that is still filling,
   * which would read as "Function deleted".
   */
  private void startInformers(KubernetesClient client) {
    for (String ns : namespaces) {
      SharedIndexInformer<FunctionResource> fi =
          client.resources(FunctionResource.class).inNamespace(ns).runnableInformer(RESYNC_MILLIS);
      fi.addEventHandler(new Enqueue<>(Cache::metaNamespaceKeyFunc, FunctionOperator::specChanged));
      fi.exceptionHandler(FunctionOperator::retryWatch);
      functions.put(ns, fi);
      SharedIndexInformer<Deployment> di =
          client
              .apps()
              .deployments()
              .inNamespace(ns)
              .withLabel(Conventions.MANAGED_BY_LABEL, Conventions.MANAGED_BY)
              .runnableInformer(RESYNC_MILLIS);
      di.addEventHandler(new Enqueue<>(FunctionOperator::ownerKey, (before, after) -> true));
      di.exceptionHandler(FunctionOperator::retryWatch);
      deployments.add(di);
    }
    startAll(functions.values())
        .thenCompose(
            listed ->
                closed ? CompletableFuture.<Void>completedFuture(null) : startAll(deployments))
        .thenRun(() -> submit(() -> sweepOrphans(1)));
  }

  private static CompletableFuture<Void> startAll(
      Collection<? extends SharedIndexInformer<?>> informers) {
    return CompletableFuture.allOf(
        informers.stream()
            .map(i -> i.start().toCompletableFuture())
            .toArray(CompletableFuture[]::new));
  }

  private static boolean retryWatch(boolean isStarted, Throwable t) {
    log.warn("Function operator watch failed, retrying: {}", t.toString());
    return true;
  }

  /** The Function a managed Deployment belongs to: {@code namespace/<faas_function label>}. */
  private static String ownerKey(HasMetadata d) {
    Map<String, String> labels = d.getMetadata().getLabels();
    String function = labels == null ? null : labels.get(Conventions.FUNCTION_LABEL);
    return Cache.namespaceKeyFunc(
        d.getMetadata().getNamespace(), function == null ? d.getMetadata().getName() : function);
  }

  private void enqueue(String key) {
    if (!closed && queued.add(key)) {
      submit(
          () -> {
            queued.remove(key);
            reconcile(key);
          });
    }
  }

  private void reconcile(String key) {
    int slash = key.indexOf('/');
    FunctionId id = new FunctionId(key.substring(0, slash), key.substring(slash + 1));
    SharedIndexInformer<FunctionResource> informer = functions.get(id.namespace());
    FunctionResource fn = informer == null ? null : informer.getStore().getByKey(key);
    try {
      if (fn == null && (informer == null || !informer.hasSynced())) {
        schedule(() -> enqueue(key), FIRST_RETRY_MILLIS);
      } else if (fn == null) {
        reconciler.cleanUp(id);
      } else {
        reconciler.reconcile(fn);
      }
      failures.remove(key);
    } catch (RuntimeException e) {
      long delay = backoff(failures.merge(key, 1, Integer::sum));
      log.warn("Reconciling Function {} failed, retrying in {} ms: {}", id, delay, e.toString());
      if (fn != null) {
        reconciler.recordFailure(fn, e);
      }
      schedule(() -> enqueue(key), delay);
    }
  }

  private void sweepOrphans(int attempt) {
    try {
      for (String ns : namespaces) {
        SharedIndexInformer<FunctionResource> informer = functions.get(ns);
        for (FunctionId id :
            FunctionReconciler.await(registry.list(ns), "list the registry in " + ns)) {
          if (informer.getStore().getByKey(Cache.namespaceKeyFunc(ns, id.name())) == null) {
            log.info("Removing {} from the registry: no Function backs it", id);
            FunctionReconciler.await(registry.remove(id), "remove " + id + " from the registry");
          }
        }
      }
      synced.complete(null);
    } catch (RuntimeException e) {
      long delay = backoff(attempt);
      log.warn("Removing registry orphans failed, retrying in {} ms: {}", delay, e.toString());
      schedule(() -> submit(() -> sweepOrphans(attempt + 1)), delay);
    }
  }

  /** {@value #FIRST_RETRY_MILLIS} ms doubled per failure: 500, 1000, 2000, … up to 5 minutes. */
  static long backoff(int failures) {
    int doublings = Math.min(Math.max(failures - 1, 0), 20);
    return Math.min(FIRST_RETRY_MILLIS << doublings, MAX_RETRY_MILLIS);
  }

  private void submit(Runnable task) {
    try {
      worker.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("Function operator closed; dropping a task");
    }
  }

  private void schedule(Runnable task, long delayMillis) {
    try {
      worker.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("Function operator closed; dropping a retry");
    }
  }

  /**
   * Whether a Function update needs a pass: a resync (same resourceVersion), a new generation (the
   * spec changed) or a deletion that began. The operator's own status writes change neither, so
   * they do not queue the Function again.
   */
  private static boolean specChanged(HasMetadata before, HasMetadata after) {
    ObjectMeta b = before.getMetadata();
    ObjectMeta a = after.getMetadata();
    return Objects.equals(b.getResourceVersion(), a.getResourceVersion())
        || !Objects.equals(b.getGeneration(), a.getGeneration())
        || !Objects.equals(b.getDeletionTimestamp(), a.getDeletionTimestamp());
  }

  /** Informer callbacks: queue the Function's key, nothing else. */
  private final class Enqueue<T extends HasMetadata> implements ResourceEventHandler<T> {
    private final Function<HasMetadata, String> key;
    private final BiPredicate<HasMetadata, HasMetadata> relevantUpdate;

    Enqueue(
        Function<HasMetadata, String> key, BiPredicate<HasMetadata, HasMetadata> relevantUpdate) {
      this.key = key;
      this.relevantUpdate = relevantUpdate;
    }

    @Override
    public void onAdd(T obj) {
      enqueue(key.apply(obj));
    }

    @Override
    public void onUpdate(T oldObj, T newObj) {
      if (relevantUpdate.test(oldObj, newObj)) {
        enqueue(key.apply(newObj));
      }
    }

    @Override
    public void onDelete(T obj, boolean deletedFinalStateUnknown) {
      enqueue(key.apply(obj));
    }
  }
}
