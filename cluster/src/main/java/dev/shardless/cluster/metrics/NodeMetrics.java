package dev.shardless.cluster.metrics;

import com.typesafe.config.Config;
import dev.shardless.cluster.gateway.GatewayMetrics;
import dev.shardless.persistence.async.QueueTelemetry;
import dev.shardless.scheduler.entity.FunctionEntity;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.port.SchedulerTelemetry;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import kamon.prometheus.PrometheusReporter;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * A node's metrics, in one place: Kamon with its Prometheus endpoint, the gateway's instruments and
 * the scheduler's and queues' telemetry, or nothing at all when {@code shardless.metrics.enabled}
 * is false. {@link #init} runs before the actor system starts, {@link #start} once it runs.
 */
public final class NodeMetrics {
  private final MetricsSettings settings;
  private final PrometheusReporter reporter;
  private final GatewayMetrics gateway;
  private final ShardlessMetrics shardless;

  private NodeMetrics(MetricsSettings settings, PrometheusReporter reporter) {
    this.settings = settings;
    this.reporter = reporter;
    this.gateway = reporter == null ? GatewayMetrics.disabled() : GatewayMetrics.enabled();
    this.shardless = reporter == null ? null : new ShardlessMetrics();
  }

  /** Reads {@code shardless.metrics} and, when enabled, initialises Kamon. */
  public static NodeMetrics init(Config config) {
    MetricsSettings settings = MetricsSettings.fromConfig(config);
    return new NodeMetrics(
        settings, settings.enabled() ? MetricsEndpoint.init(config, settings) : null);
  }

  public GatewayMetrics gateway() {
    return gateway;
  }

  public SchedulerTelemetry scheduler() {
    return shardless == null ? SchedulerTelemetry.NONE : shardless;
  }

  public QueueTelemetry queues() {
    return shardless == null ? QueueTelemetry.NONE : shardless;
  }

  /**
   * Binds the endpoint and starts the metrics tick (the gateway asks the entities of the functions
   * it called for their status; queue ages are brought up to date); completes with the endpoint's
   * address, or {@code null} when metrics are off.
   */
  public CompletionStage<InetSocketAddress> start(ActorSystem<?> system) {
    if (reporter == null) {
      return CompletableFuture.completedFuture(null);
    }
    ClusterSharding sharding = ClusterSharding.get(system);
    org.apache.pekko.japi.function.Function<
            FunctionId, CompletionStage<FunctionEntity.RuntimeStatus>>
        status =
            id ->
                sharding
                    .entityRefFor(FunctionEntity.TYPE_KEY, id.entityId())
                    .ask(FunctionEntity.GetStatus::new, settings.tickInterval());
    system
        .scheduler()
        .scheduleAtFixedRate(
            settings.tickInterval(),
            settings.tickInterval(),
            () -> {
              gateway.publish(status, system.executionContext());
              shardless.publish(System.currentTimeMillis());
            },
            system.executionContext());
    return MetricsEndpoint.start(system, settings, reporter);
  }
}
