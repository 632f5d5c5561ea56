package dev.shardless.cluster.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.shardless.cluster.gateway.AdminCredentials;
import dev.shardless.cluster.gateway.Failures;
import dev.shardless.cluster.gateway.FunctionJson;
import dev.shardless.cluster.gateway.FunctionWrites;
import dev.shardless.cluster.gateway.Gateway;
import dev.shardless.cluster.gateway.GatewaySettings;
import dev.shardless.cluster.gateway.HttpCallbackSender;
import dev.shardless.cluster.gateway.HttpJobRunner;
import dev.shardless.cluster.gateway.Leases;
import dev.shardless.cluster.gateway.LogSource;
import dev.shardless.cluster.gateway.SecretMirror;
import dev.shardless.cluster.kubernetes.KubernetesMode;
import dev.shardless.cluster.metrics.NodeMetrics;
import dev.shardless.invoker.InvokerSettings;
import dev.shardless.invoker.local.LocalProcessPlatform;
import dev.shardless.persistence.PersistenceSettings;
import dev.shardless.persistence.async.AsyncSettings;
import dev.shardless.persistence.async.BacklogReporter;
import dev.shardless.persistence.async.JobQueue;
import dev.shardless.persistence.journal.JournalConfig;
import dev.shardless.persistence.registry.FunctionRegistry;
import dev.shardless.persistence.registry.RegistryCatalog;
import dev.shardless.persistence.registry.RegistryListener;
import dev.shardless.persistence.secrets.SecretCatalog;
import dev.shardless.persistence.secrets.SecretCipher;
import dev.shardless.persistence.secrets.SecretKeys;
import dev.shardless.persistence.secrets.SecretStore;
import dev.shardless.persistence.secrets.SecretsSettings;
import dev.shardless.scheduler.SchedulerSettings;
import dev.shardless.scheduler.entity.FunctionEntity;
import dev.shardless.scheduler.entity.Retirement;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.port.ReplicaPlatform;
import dev.shardless.scheduler.port.SecretResolver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.pattern.Patterns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Shardless node: the actor system (a Pekko Cluster member), the durable function registry and
 * secret store, the sharded function entities, the replica platform and the HTTP gateway, started
 * in that order and stopped in reverse by Pekko's coordinated shutdown (SIGTERM included).
 */
public final class ShardlessNode {
  private static final Logger log = LoggerFactory.getLogger(ShardlessNode.class);

  /** Reported by {@code /system/info}; set by the build. */
  public static final String VERSION =
      ShardlessNode.class.getPackage().getImplementationVersion() == null
          ? "dev"
          : ShardlessNode.class.getPackage().getImplementationVersion();

  private final ActorSystem<Void> system;
  private final ServerBinding binding;
  private final AdminCredentials credentials;
  private final int examplesDeployed;
  private final SecretResolver secrets;
  private final InetSocketAddress metricsAddress;
  private final URI management;

  private ShardlessNode(
      ActorSystem<Void> system,
      ServerBinding binding,
      AdminCredentials credentials,
      int examplesDeployed,
      SecretResolver secrets,
      InetSocketAddress metricsAddress,
      URI management) {
    this.system = system;
    this.management = management;
    this.metricsAddress = metricsAddress;
    this.binding = binding;
    this.credentials = credentials;
    this.examplesDeployed = examplesDeployed;
    this.secrets = secrets;
  }

  /**
   * The configuration a node runs with: {@code application.conf} and system properties over the
   * node's Pekko settings ({@code shardless-node.conf}) over every module's {@code reference.conf},
   * plus the journal settings for the data directory.
   */
  public static Config loadConfig() {
    Config base =
        ConfigFactory.load(
            ConfigFactory.defaultApplication()
                .withFallback(ConfigFactory.parseResources("shardless-node.conf")));
    NodeSettings node = NodeSettings.fromConfig(base);
    Config invoker =
        ConfigFactory.empty()
            .withValue(
                "shardless.invoker.data-dir",
                ConfigValueFactory.fromAnyRef(node.dataDir().toString()));
    return ConfigFactory.systemProperties()
        .withFallback(ClusterSettings.fromConfig(base).pekkoConfig())
        .withFallback(JournalConfig.forDataDir(node.dataDir(), base))
        .withFallback(invoker)
        .withFallback(base)
        .resolve();
  }

  /** Starts a node; completes when the gateway accepts connections. */
  public static CompletionStage<ShardlessNode> start(Config config) {
    NodeSettings node = NodeSettings.fromConfig(config);
    GatewaySettings gatewaySettings = GatewaySettings.fromConfig(config);
    SecretsSettings secretsSettings = SecretsSettings.fromConfig(config);
    ClusterSettings clusterSettings = ClusterSettings.fromConfig(config);
    clusterSettings.checkJournal(PersistenceSettings.fromConfig(config), selfHostPort(config));
    AdminCredentials credentials;
    SecretCipher cipher;
    try {
      Files.createDirectories(node.dataDir());
      credentials = AdminCredentials.resolve(gatewaySettings, node.dataDir());
      cipher = new SecretCipher(SecretKeys.load(secretsSettings, node.dataDir()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare data dir " + node.dataDir(), e);
    }
    // Kamon first: the agent's Pekko instrumentation (when attached) reads its filters from it.
    NodeMetrics metrics = NodeMetrics.init(config);
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), ClusterSettings.SYSTEM_NAME, config);
    try {
      return boot(
          system,
          node,
          clusterSettings,
          gatewaySettings,
          credentials,
          secretsSettings,
          cipher,
          metrics);
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  private static CompletionStage<ShardlessNode> boot(
      ActorSystem<Void> system,
      NodeSettings node,
      ClusterSettings clusterSettings,
      GatewaySettings gatewaySettings,
      AdminCredentials credentials,
      SecretsSettings secretsSettings,
      SecretCipher cipher,
      NodeMetrics metrics) {
    CompletionStage<URI> management = ClusterMembership.startManagement(system);

    Clock clock = Clock.systemUTC();
    // The durable, encrypted secret store (sharded per namespace, started below once the journal
    // is ready). `secrets` is what the platform uses to read a function's secret values.
    SecretCatalog secretCatalog = SecretCatalog.create(system, cipher);
    SecretResolver secrets = secretCatalog;
    RegistryCatalog catalog = RegistryCatalog.create(system);
    // Local: the platform stops every replica in coordinated shutdown's
    // before-actor-system-terminate phase by itself (SIGTERM included). Kubernetes: pods outlive
    // the node; the next entity incarnation adopts them.
    LocalProcessPlatform local =
        node.platform() == NodeSettings.Platform.LOCAL
            ? new LocalProcessPlatform(
                system, InvokerSettings.fromConfig(system.settings().config()), secrets)
            : null;
    KubernetesMode kubernetes =
        local == null ? KubernetesMode.create(system, catalog, node.namespaces()) : null;
    ReplicaPlatform platform = local != null ? local : kubernetes.platform();
    FunctionWrites writes =
        kubernetes != null ? kubernetes.writes() : FunctionWrites.registry(catalog);

    ClusterSharding sharding = ClusterSharding.get(system);
    SchedulerSettings schedulerSettings = SchedulerSettings.fromConfig(system.settings().config());
    sharding.init(
        Entity.of(
                FunctionEntity.TYPE_KEY,
                ctx ->
                    FunctionEntity.create(
                        FunctionId.fromEntityId(ctx.getEntityId()),
                        platform,
                        catalog,
                        schedulerSettings,
                        clock,
                        Retirement.sharded(ctx, sharding),
                        metrics.scheduler()))
            .withStopMessage(FunctionEntity.Stop.INSTANCE));

    CompletionStage<InetSocketAddress> metricsBound = metrics.start(system);

    ObjectNode info = systemInfo(node.platform());
    AsyncSettings asyncSettings = AsyncSettings.fromConfig(system.settings().config());
    Gateway gateway =
        new Gateway(
            system,
            catalog,
            writes,
            gatewaySettings,
            asyncSettings,
            credentials,
            node.namespaces(),
            platform.runsEnvProcess(),
            info,
            secretCatalog,
            kubernetes != null ? kubernetes.secretMirror() : SecretMirror.NONE,
            secretsSettings,
            function -> local != null ? confinementOf(local, function) : Map.of(),
            metrics.gateway(),
            kubernetes != null ? kubernetes.logs() : LogSource.files(system));

    Leases.reclaimDeadLetters(system);
    return metricsBound
        .thenCompose(address -> JournalConfig.prepare(system).thenApply(done -> address))
        .thenApplyAsync(
            address -> {
              FunctionRegistry.init(system, entityNotifier(system), clock);
              SecretStore.init(system);
              JobQueue.init(
                  system,
                  asyncSettings,
                  catalog,
                  new HttpJobRunner(system, gatewaySettings.leases(), asyncSettings.maxResult()),
                  new HttpCallbackSender(system, asyncSettings.callbackTimeout()),
                  backlogReporter(sharding),
                  metrics.queues(),
                  clock);
              // Join only now: once a member, this node may be given shards of every type.
              ClusterMembership.join(system, clusterSettings);
              return address;
            },
            system.executionContext())
        // Only a member reaches the sharded registries and entities: wait until this node is Up.
        .thenCompose(address -> ClusterMembership.up(system).thenApply(done -> address))
        .thenCompose(
            address ->
                registryAnswers(system, catalog, node.defaultNamespace(), node.startupTimeout())
                    .thenApply(done -> address))
        .thenComposeAsync(
            metricsAddress -> {
              if (kubernetes != null) {
                // Function resources are the source of truth: one node reconciles them.
                kubernetes.startOperator(system);
              }
              // Examples run from local folders: only the local platform deploys them.
              List<FunctionSpec> examples =
                  node.examples() && local != null
                      ? ExampleDeployer.load(
                          node.examplesDir(), node.defaultNamespace(), platform.runsEnvProcess())
                      : List.of();
              CompletionStage<Integer> deployed =
                  ExampleDeployer.deployIfEmpty(
                      catalog, node.defaultNamespace(), examples, system.executionContext());
              // Wake every namespace's registry: its recovery configures its functions' entities.
              for (String ns : node.namespaces().subList(1, node.namespaces().size())) {
                catalog.list(ns);
              }
              return deployed.thenApply(n -> new Started(n, metricsAddress));
            },
            system.executionContext())
        .thenCombine(management, Started::withManagement)
        .thenComposeAsync(
            started ->
                gateway
                    .bind(gatewaySettings.host(), gatewaySettings.port())
                    .thenApplyAsync(
                        binding -> {
                          binding.addToCoordinatedShutdown(clusterSettings.shutdownDrain(), system);
                          closeClientPoolsBeforeReplicasStop(system);
                          return new ShardlessNode(
                              system,
                              binding,
                              credentials,
                              started.examplesDeployed(),
                              secrets,
                              started.metricsAddress(),
                              started.management());
                        },
                        system.executionContext()),
            system.executionContext())
        .exceptionallyAsync(
            e -> {
              system.terminate();
              throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            },
            system.executionContext());
  }

  private record Started(int examplesDeployed, InetSocketAddress metricsAddress, URI management) {
    Started(int examplesDeployed, InetSocketAddress metricsAddress) {
      this(examplesDeployed, metricsAddress, null);
    }

    Started withManagement(URI uri) {
      return new Started(examplesDeployed, metricsAddress, uri);
    }
  }

  /** This node's cluster address as {@code host:port}, as seed-node lists name it. */
  private static String selfHostPort(Config config) {
    return config.getString("shardless.node.cluster-host")
        + ":"
        + config.getInt("shardless.node.cluster-port");
  }

  /**
   * Completes once the default namespace's registry answers. Its first answer waits for its
   * recovery from the journal (and in a cluster for its shard's allocation), which a starved
   * machine can stretch beyond one ask: timed-out asks are repeated until {@code within} has
   * passed; any other failure fails the start at once.
   */
  private static CompletionStage<Done> registryAnswers(
      ActorSystem<?> system, RegistryCatalog catalog, String namespace, Duration within) {
    Duration ask = PersistenceSettings.fromConfig(system.settings().config()).askTimeout();
    int attempts = (int) Math.max(1, Math.min(1_000, within.toMillis() / ask.toMillis()));
    return Patterns.retry(
            () -> catalog.list(namespace),
            (listing, error) -> error != null && isTimeout(error),
            attempts,
            Duration.ZERO,
            system)
        .thenApply(listing -> Done.done());
  }

  private static boolean isTimeout(Throwable error) {
    return Failures.cause(error) instanceof TimeoutException;
  }

  /**
   * Tells the sharded function entities about definitions the registry put in force, and the async
   * queues about changes (a queue looks its definition up when it starts, so it is not woken for
   * every function when a registry recovers).
   */
  private static RegistryListener entityNotifier(ActorSystem<?> system) {
    ClusterSharding sharding = ClusterSharding.get(system);
    return new RegistryListener() {
      @Override
      public void configured(FunctionRecord record) {
        sharding
            .entityRefFor(FunctionEntity.TYPE_KEY, record.spec().id().entityId())
            .tell(new FunctionEntity.Configure(record, system.ignoreRef()));
      }

      @Override
      public void changed(FunctionRecord record) {
        sharding
            .entityRefFor(JobQueue.TYPE_KEY, record.spec().id().entityId())
            .tell(new JobQueue.FunctionConfigured(record));
      }

      @Override
      public void removed(FunctionId id, long version) {
        sharding
            .entityRefFor(FunctionEntity.TYPE_KEY, id.entityId())
            .tell(new FunctionEntity.Remove(version, system.ignoreRef()));
        sharding
            .entityRefFor(JobQueue.TYPE_KEY, id.entityId())
            .tell(new JobQueue.FunctionRemoved(version));
      }
    };
  }

  /**
   * Closes the HTTP client pools (to replicas and callback receivers) once sharding has handed off,
   * so no entity or queue uses them any more, and before the platform stops the replicas in {@code
   * before-actor-system-terminate}: a pool whose connections are cut under it logs an ERROR.
   */
  private static void closeClientPoolsBeforeReplicasStop(ActorSystem<?> system) {
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseClusterShutdown(),
            "shardless-http-client-pools",
            () -> Http.get(system).shutdownAllConnectionPools().thenApply(u -> Done.done()));
  }

  /** How the function's replicas on this node are confined (they are all started alike). */
  private static Map<String, String> confinementOf(
      LocalProcessPlatform platform, FunctionId function) {
    return platform.confinements(function).values().stream()
        .findFirst()
        .map(c -> Map.of("sandbox", c.sandbox(), "memory", c.memory(), "cpu", c.cpu()))
        .orElse(Map.of());
  }

  /** Passes a queue's backlog to its function's entity, wherever each lives. */
  private static BacklogReporter backlogReporter(ClusterSharding sharding) {
    return (function, pending) ->
        sharding
            .entityRefFor(FunctionEntity.TYPE_KEY, function.entityId())
            .tell(new FunctionEntity.AsyncBacklog(pending));
  }

  private static ObjectNode systemInfo(NodeSettings.Platform platform) {
    ObjectNode info = FunctionJson.MAPPER.createObjectNode();
    ObjectNode provider = info.putObject("provider");
    provider.put("provider", "shardless");
    provider.put(
        "orchestration", platform == NodeSettings.Platform.KUBERNETES ? "kubernetes" : "local");
    ObjectNode providerVersion = provider.putObject("version");
    providerVersion.put("release", VERSION);
    providerVersion.put("sha", "");
    ObjectNode version = info.putObject("version");
    version.put("release", VERSION);
    version.put("sha", "");
    info.put("arch", System.getProperty("os.arch"));
    return info;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** The port the gateway listens on. */
  public int httpPort() {
    InetSocketAddress address = binding.localAddress();
    return address.getPort();
  }

  /** Where the Prometheus endpoint listens, or empty when metrics are off. */
  public java.util.Optional<InetSocketAddress> metricsAddress() {
    return java.util.Optional.ofNullable(metricsAddress);
  }

  /** Where Pekko Management (health, readiness, cluster routes) listens. */
  public URI managementUri() {
    return management;
  }

  public AdminCredentials credentials() {
    return credentials;
  }

  /**
   * The values of functions' secrets, decrypted on this node, for the replica platform (mounted at
   * {@code /var/openfaas/secrets/<name>}): a {@link SecretCatalog} over the durable store.
   */
  public SecretResolver secrets() {
    return secrets;
  }

  public int examplesDeployed() {
    return examplesDeployed;
  }

  /** Stops the node through coordinated shutdown; completes when the actor system is gone. */
  public CompletionStage<Done> stop() {
    return CoordinatedShutdown.get(system)
        .runAll(CoordinatedShutdown.unknownReason())
        .thenCompose(done -> system.getWhenTerminated().thenApply(t -> Done.getInstance()));
  }

  /** Completes when the actor system has terminated, for whatever reason. */
  public CompletableFuture<Done> whenTerminated() {
    return system.getWhenTerminated().thenApply(t -> Done.getInstance()).toCompletableFuture();
  }
}
