package dev.shardless.k8s.testing;

import com.typesafe.config.ConfigFactory;
import dev.shardless.invoker.InvokerSettings;
import dev.shardless.invoker.local.LocalProcessPlatform;
import dev.shardless.invoker.logs.LogFiles;
import dev.shardless.k8s.Conventions;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.port.ReplicaEndpoint;
import dev.shardless.scheduler.port.ReplicaEvents;
import dev.shardless.scheduler.port.SecretResolver;
import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A STAND-IN for the kubelet (and the scheduler, and the pod network), for tests on a real API
 * server ({@link KubeApiServer}) where no real node exists. It is not Kubernetes: no images, no
 * containers, no probes. What it does, watching every pod through a fabric8 informer:
 *
 * <ul>
 *   <li>binds each unscheduled pod to its node (the {@code binding} subresource; there is no
 *       kube-scheduler);
 *   <li>runs each pod on its node as a local OS process through the invoker's own {@link
 *       LocalProcessPlatform}: the first container's env {@code fprocess} is the command (the
 *       OpenFaaS watchdog's convention) and its other env vars the function's ({@code mode=http}
 *       for a server on {@code $PORT}, else classic fork-per-request);
 *   <li>gives the pod a loopback address of its own ({@link PodAddresses}) and forwards its port
 *       8080 there to the process ({@link PodForwarder}); then reports the pod Running and Ready
 *       with that {@code podIP} (status subresource);
 *   <li>restarts a lost process with a backoff (the pod not Ready meanwhile, {@code restartCount}
 *       one higher), like a kubelet;
 *   <li>serves the pods' output to the API server's {@code pods/log} ({@link KubeletLogServer}:
 *       HTTPS on a free port of 127.0.0.1, published as the Node's kubelet endpoint);
 *   <li>on deletion, keeps the pod serving for {@link #DRAIN} (as the OpenFaaS watchdog does after
 *       SIGTERM), then stops the process (grace: the pod's, at most {@link #MAX_GRACE}), frees the
 *       address and finishes the deletion (grace period 0).
 * </ul>
 *
 * <p>Containers without {@code fprocess} are never started: their pod stays Pending, container
 * waiting with reason {@code NoFprocess}. One stand-in kubelet per node at a time. Everything runs
 * on one thread of its own; informer and process callbacks only hand it work, and never throw.
 */
public final class StandInKubelet implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StandInKubelet.class);

  /** Longest grace a deleted pod's process gets before it is killed. */
  public static final Duration MAX_GRACE = Duration.ofSeconds(3);

  /**
   * How long a deleted pod keeps serving before its process is stopped (at most its grace), as the
   * OpenFaaS watchdog keeps serving after SIGTERM so that those routing to the pod see the deletion
   * first.
   */
  public static final Duration DRAIN = Duration.ofSeconds(1);

  private static final Duration RESYNC = Duration.ofSeconds(10);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final KubernetesClient client;
  private final String nodeName;
  private final ScheduledExecutorService loop;
  private final ExecutorService network = Executors.newCachedThreadPool(daemon("standin-net"));
  private final PodAddresses addresses = new PodAddresses();
  private final Map<String, PodRun> runs = new HashMap<>();
  private final ActorSystem<Void> system;
  private final LocalProcessPlatform platform;
  private final Path logRoot;

  /** namespace/name → the pod's current replica (its process), for the log server's threads. */
  private final Map<String, String> logReplicas = new ConcurrentHashMap<>();

  private KubeletLogServer logServer;
  private SharedIndexInformer<Pod> informer;
  private volatile boolean closed;

  private StandInKubelet(KubernetesClient client, String nodeName) {
    this.client = client;
    this.nodeName = nodeName;
    this.loop = Executors.newSingleThreadScheduledExecutor(daemon("standin-kubelet"));
    this.system =
        ActorSystem.create(
            Behaviors.empty(),
            "standin-kubelet",
            ConfigFactory.parseString("pekko.coordinated-shutdown.exit-jvm = off")
                .withFallback(ConfigFactory.load()));
    Path dataDir =
        Path.of(
                "target",
                "standin-kubelet-"
                    + ProcessHandle.current().pid()
                    + "-"
                    + INSTANCES.incrementAndGet())
            .toAbsolutePath();
    this.platform =
        new LocalProcessPlatform(
            system,
            InvokerSettings.fromConfig(system.settings().config()).withDataDir(dataDir),
            SecretResolver.none());
    this.logRoot = dataDir.resolve("logs");
  }

  /**
   * Starts serving {@code nodeName}: from now on pods without a node are bound to it and its pods
   * run. Function logs go to {@code target/standin-kubelet-<pid>-<n>/logs/}.
   */
  public static StandInKubelet start(KubernetesClient client, String nodeName) {
    StandInKubelet kubelet = new StandInKubelet(client, nodeName);
    kubelet.serveLogs();
    kubelet.informer =
        client.pods().inAnyNamespace().inform(kubelet.new Handler(), RESYNC.toMillis());
    log.info("Stand-in kubelet serving node {}", nodeName);
    return kubelet;
  }

  /**
   * Starts the log endpoint ({@link KubeletLogServer}) and tells the API server where it is: the
   * Node's {@code status.daemonEndpoints.kubeletEndpoint.Port} (its address is its InternalIP,
   * 127.0.0.1, set when it was registered).
   */
  private void serveLogs() {
    try {
      logServer = KubeletLogServer.start(logRoot.resolveSibling("tls"), this::logTarget);
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    }
    client
        .nodes()
        .withName(nodeName)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            Serialization.asJson(
                Map.of(
                    "status",
                    Map.of(
                        "daemonEndpoints",
                        Map.of("kubeletEndpoint", Map.of("Port", logServer.port()))))));
  }

  /** Where the log server finds a pod's output; null for a pod not run here. */
  private KubeletLogServer.Target logTarget(String namespace, String pod) {
    String key = namespace + "/" + pod;
    if (!logReplicas.containsKey(key)) {
      return null;
    }
    String replica = logReplicas.get(key);
    return new KubeletLogServer.Target(
        LogFiles.functionDir(logRoot, new FunctionId(namespace, pod)),
        replica.isEmpty() ? null : replica);
  }

  /** Stops every pod's process and the informer; pods are left as they are in the API. */
  @Override
  public void close() {
    closed = true;
    if (informer != null) {
      informer.close();
    }
    try {
      loop.submit(this::releaseAll).get(30, TimeUnit.SECONDS);
      platform.shutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Stand-in kubelet did not stop cleanly: {}", e.toString());
    }
    if (logServer != null) {
      logServer.close();
    }
    system.terminate();
    loop.shutdownNow();
    network.shutdownNow();
  }

  private final class Handler implements ResourceEventHandler<Pod> {
    @Override
    public void onAdd(Pod pod) {
      submit(() -> reconcile(pod));
    }

    @Override
    public void onUpdate(Pod old, Pod pod) {
      submit(() -> reconcile(pod));
    }

    @Override
    public void onDelete(Pod pod, boolean finalStateUnknown) {
      submit(() -> forget(pod));
    }
  }

  /** Runs {@code work} on the kubelet's thread, logging what it throws. */
  private void submit(Runnable work) {
    if (closed) {
      return;
    }
    try {
      loop.execute(
          () -> {
            try {
              work.run();
            } catch (RuntimeException e) {
              log.warn("Stand-in kubelet: {}", e.toString(), e);
            }
          });
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void reconcile(Pod pod) {
    if (closed) {
      return;
    }
    String node = pod.getSpec().getNodeName();
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      if (nodeName.equals(node)) {
        terminate(pod);
      }
    } else if (node == null || node.isEmpty()) {
      bind(pod);
    } else if (nodeName.equals(node)) {
      PodRun run = runs.get(pod.getMetadata().getUid());
      if (run == null) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
          startPod(pod);
        }
      } else {
        run.pod = pod;
        if (!run.terminating && !PodStatuses.matches(pod, run.observed())) {
          patchStatus(run); // a write that failed earlier, or a status someone else changed
        }
      }
    }
  }

  private void bind(Pod pod) {
    Binding binding =
        new BindingBuilder()
            .withNewMetadata()
            .withName(pod.getMetadata().getName())
            .withNamespace(pod.getMetadata().getNamespace())
            .withUid(pod.getMetadata().getUid())
            .endMetadata()
            .withNewTarget()
            .withApiVersion("v1")
            .withKind("Node")
            .withName(nodeName)
            .endTarget()
            .build();
    try {
      client.bindings().inNamespace(pod.getMetadata().getNamespace()).resource(binding).create();
      log.debug("Bound {} to {}", key(pod), nodeName);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        log.warn("Could not bind {} to {}: {}", key(pod), nodeName, e.getMessage());
      }
    }
  }

  private void startPod(Pod pod) {
    ServerSocket listener;
    try {
      listener = addresses.reserve();
    } catch (IOException e) {
      log.warn("No address for pod {}: {}", key(pod), e.getMessage());
      return; // the next resync tries again
    }
    Map<String, String> env = containerEnv(pod);
    String fprocess = env.remove(Conventions.FPROCESS_ENV);
    FunctionId id = new FunctionId(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    FunctionSpec spec =
        new FunctionSpec(id, image(pod), fprocess, env, null, null, null, null, null, null, false);
    PodRun run = new PodRun(pod, new PodForwarder(listener, network), spec);
    runs.put(run.uid, run);
    logReplicas.put(run.toString(), "");
    log.info("Pod {} gets {}", run, run.forwarder.address());
    if (fprocess == null || fprocess.isBlank()) {
      run.waitingReason = "NoFprocess";
      run.waitingMessage = "the stand-in kubelet runs only containers with env fprocess";
    } else {
      run.replicas = platform.open(id, events(run));
      startReplica(run);
    }
    patchStatus(run);
  }

  private void startReplica(PodRun run) {
    run.pendingRestart = null;
    if (run.terminating || closed) {
      return;
    }
    ReplicaId replica = run.nextReplica();
    logReplicas.put(run.toString(), replica.value());
    try {
      run.replicas.start(replica, run.spec);
    } catch (RuntimeException e) {
      onLost(run, replica, "cannot start: " + e.getMessage());
    }
  }

  private ReplicaEvents events(PodRun run) {
    return new ReplicaEvents() {
      @Override
      public void ready(ReplicaId id, ReplicaEndpoint endpoint) {
        submit(() -> onReady(run, id, endpoint));
      }

      @Override
      public void lost(ReplicaId id, String reason) {
        submit(() -> onLost(run, id, reason));
      }

      @Override
      public void stopped(ReplicaId id) {
        submit(() -> onStopped(run, id));
      }
    };
  }

  private void onReady(PodRun run, ReplicaId id, ReplicaEndpoint endpoint) {
    if (run.terminating || !id.equals(run.current)) {
      return;
    }
    run.running(new InetSocketAddress(endpoint.host(), endpoint.port()));
    log.info(
        "Pod {} is Ready at {} (process at {}), {} ms after the kubelet took it on",
        run,
        run.forwarder.address(),
        endpoint,
        Duration.between(run.startTime, run.runningSince).toMillis());
    patchStatus(run);
  }

  private void onLost(PodRun run, ReplicaId id, String reason) {
    if (!id.equals(run.current)) {
      return;
    }
    if (run.terminating) {
      finishTermination(run);
      return;
    }
    run.lost(reason);
    long backoff =
        Math.min(MAX_BACKOFF.toMillis(), 500L << Math.min(10, Math.max(0, run.restarts - 1)));
    log.info("Pod {}: process lost ({}); restart {} in {} ms", run, reason, run.restarts, backoff);
    patchStatus(run);
    run.pendingRestart =
        loop.schedule(() -> submit(() -> startReplica(run)), backoff, TimeUnit.MILLISECONDS);
  }

  private void onStopped(PodRun run, ReplicaId id) {
    if (run.terminating && id.equals(run.current)) {
      finishTermination(run);
    }
  }

  /** A pod on this node is being deleted: stop its process, then finish the deletion. */
  private void terminate(Pod pod) {
    PodRun run = runs.get(pod.getMetadata().getUid());
    if (run == null) {
      deleteNow(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
      return;
    }
    if (run.terminating) {
      return;
    }
    run.terminating = true;
    if (run.pendingRestart != null) {
      run.pendingRestart.cancel(false);
    }
    if (run.replicas == null || run.current == null) {
      finishTermination(run);
      return;
    }
    Long seconds = pod.getSpec().getTerminationGracePeriodSeconds();
    Duration grace = seconds == null ? MAX_GRACE : Duration.ofSeconds(seconds);
    Duration stopGrace = grace.compareTo(MAX_GRACE) > 0 ? MAX_GRACE : grace;
    Duration drain = stopGrace.compareTo(DRAIN) > 0 ? DRAIN : stopGrace;
    loop.schedule(
        () -> submit(() -> stopDrained(run, stopGrace)), drain.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void stopDrained(PodRun run, Duration grace) {
    if (runs.get(run.uid) == run && run.replicas != null && run.current != null) {
      run.replicas.stop(run.current, grace);
    }
  }

  private void finishTermination(PodRun run) {
    if (runs.remove(run.uid) == null) {
      return;
    }
    release(run);
    log.info("Pod {} stopped; deleting it", run);
    deleteNow(run.namespace, run.name);
  }

  /** The pod object is gone from the API (deleted by us or forcibly): drop what still runs. */
  private void forget(Pod pod) {
    PodRun run = runs.remove(pod.getMetadata().getUid());
    if (run != null) {
      log.info("Pod {} was removed from the API; stopping what is left of it", run);
      release(run);
    }
  }

  private void release(PodRun run) {
    if (run.pendingRestart != null) {
      run.pendingRestart.cancel(false);
    }
    if (run.replicas != null) {
      run.replicas.close();
    }
    logReplicas.remove(run.toString());
    run.forwarder.close();
    addresses.release(run.forwarder.address().getAddress());
  }

  private void releaseAll() {
    new ArrayList<>(runs.values()).forEach(this::release);
    runs.clear();
  }

  private void deleteNow(String namespace, String name) {
    try {
      client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
    } catch (KubernetesClientException e) {
      log.warn("Could not finish deleting pod {}/{}: {}", namespace, name, e.getMessage());
    }
  }

  /** Writes the pod's status as {@code run} observes it (a JSON merge patch of {@code status}). */
  private void patchStatus(PodRun run) {
    if (closed) {
      return;
    }
    try {
      String body = Serialization.asJson(Map.of("status", PodStatuses.of(run.pod, run.observed())));
      client
          .pods()
          .inNamespace(run.namespace)
          .withName(run.name)
          .subresource("status")
          .patch(PatchContext.of(PatchType.JSON_MERGE), body);
    } catch (KubernetesClientException e) {
      log.warn("Could not write the status of pod {}: {}", run, e.getMessage()); // resync retries
    }
  }

  private static Map<String, String> containerEnv(Pod pod) {
    Map<String, String> env = new HashMap<>();
    List<EnvVar> vars = pod.getSpec().getContainers().get(0).getEnv();
    for (EnvVar v : vars) {
      if (v.getValue() != null) {
        env.put(v.getName(), v.getValue());
      }
    }
    return env;
  }

  private static String image(Pod pod) {
    return pod.getSpec().getContainers().get(0).getImage();
  }

  private static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
