package dev.shardless.cluster.metrics;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The node's metrics settings ({@code shardless.metrics} in reference.conf), parsed and checked
 * once.
 *
 * @param enabled whether Kamon runs and the Prometheus endpoint is served
 * @param host the address the Prometheus endpoint binds (127.0.0.1 unless configured)
 * @param port its port; 0 picks a free one (the node prints the bound port)
 * @param tickInterval how often Kamon publishes a snapshot to the Prometheus endpoint
 * @param actorMetrics with the Kanela agent, also the dispatchers' and the sharded entities'
 *     metrics (a per-task and per-message cost)
 */
public record MetricsSettings(
    boolean enabled, String host, int port, Duration tickInterval, boolean actorMetrics) {

  public static MetricsSettings fromConfig(Config root) {
    Config c = root.getConfig("shardless.metrics");
    String host = c.getString("host").trim();
    if (host.isEmpty()) {
      throw new IllegalArgumentException("shardless.metrics.host must not be empty");
    }
    int port = c.getInt("port");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("shardless.metrics.port must be in 0..65535, was " + port);
    }
    Duration tick = c.getDuration("tick-interval");
    if (tick.isNegative() || tick.isZero()) {
      throw new IllegalArgumentException(
          "shardless.metrics.tick-interval must be > 0, was " + c.getString("tick-interval"));
    }
    return new MetricsSettings(
        c.getBoolean("enabled"), host, port, tick, c.getBoolean("actor-metrics"));
  }
}
