package dev.shardless.cluster.kubernetes;

import dev.shardless.cluster.gateway.FunctionWrites;
import dev.shardless.cluster.gateway.LogSource;
import dev.shardless.cluster.gateway.SecretMirror;
import dev.shardless.k8s.crd.FunctionResources;
import dev.shardless.k8s.operator.FunctionOperator;
import dev.shardless.k8s.platform.KubernetesPlatform;
import dev.shardless.k8s.platform.KubernetesPlatformSettings;
import dev.shardless.persistence.registry.RegistryCatalog;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The node's parts on the Kubernetes platform ({@code SHARDLESS_PLATFORM=kubernetes}): one API
 * client (configured from the pod's service account, or KUBECONFIG outside a cluster), the replica
 * platform whose replicas are Ready pods, the REST API's writes to Function resources (and of
 * secrets to Kubernetes Secrets), the pods' logs for {@code GET /system/logs}, and the Function
 * operator, run on one node of the cluster at a time.
 */
public final class KubernetesMode {
  private final KubernetesClient client;
  private final KubernetesPlatform platform;
  private final FunctionWrites writes;
  private final SecretMirror secrets;
  private final LogSource logs;
  private final CatalogRegistrySync registry;
  private final List<String> namespaces;

  private KubernetesMode(
      KubernetesClient client,
      KubernetesPlatform platform,
      FunctionWrites writes,
      SecretMirror secrets,
      LogSource logs,
      CatalogRegistrySync registry,
      List<String> namespaces) {
    this.client = client;
    this.platform = platform;
    this.writes = writes;
    this.secrets = secrets;
    this.logs = logs;
    this.registry = registry;
    this.namespaces = List.copyOf(namespaces);
  }

  /** Connects to the API server; the client closes when the actor system terminates. */
  public static KubernetesMode create(
      ActorSystem<?> system, RegistryCatalog catalog, List<String> namespaces) {
    KubernetesPlatformSettings settings =
        KubernetesPlatformSettings.fromConfig(system.settings().config());
    Config config = Config.autoConfigure(null);
    config.setWatchReconnectInterval((int) settings.watchReconnect().toMillis());
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    // fabric8's request methods block their caller: they run here, never on a Pekko dispatcher.
    ExecutorService blocking = Executors.newFixedThreadPool(4, daemonThreads());
    KubernetesPlatform platform = new KubernetesPlatform(client, settings, blocking);
    // One writer of function specs into the registry: the REST API's and the operator's.
    CatalogRegistrySync registry = new CatalogRegistrySync(catalog, system.executionContext());
    FunctionWrites writes =
        new KubernetesFunctionWrites(
            new FunctionResources(client, blocking), registry, catalog, system.executionContext());
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "shardless-kubernetes-client",
            () ->
                platform
                    .shutdown()
                    .handle(
                        (done, error) -> {
                          client.close();
                          blocking.shutdown();
                          return Done.done();
                        }));
    return new KubernetesMode(
        client,
        platform,
        writes,
        new KubernetesSecretMirror(client, blocking),
        new KubernetesLogSource(client, system.settings().config()),
        registry,
        namespaces);
  }

  public KubernetesPlatform platform() {
    return platform;
  }

  public FunctionWrites writes() {
    return writes;
  }

  /** Function secrets also written as Kubernetes Secrets, which the pods mount. */
  public SecretMirror secretMirror() {
    return secrets;
  }

  /** {@code GET /system/logs}: the container logs of the function pods. */
  public LogSource logs() {
    return logs;
  }

  /**
   * Starts the Function operator as a cluster singleton: it reconciles every Function of the node's
   * namespaces into a Deployment and a Service and copies its spec into the registry.
   */
  public void startOperator(ActorSystem<?> system) {
    OperatorSingleton.init(system, () -> FunctionOperator.start(client, namespaces, registry));
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "shardless-kubernetes-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
