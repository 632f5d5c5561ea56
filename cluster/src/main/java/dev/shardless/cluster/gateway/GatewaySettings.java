package dev.shardless.cluster.gateway;

import com.typesafe.config.Config;
import java.time.Duration;

/** The HTTP gateway's settings ({@code shardless.gateway} in reference.conf). */
public record GatewaySettings(
    String host,
    int port,
    String adminUser,
    String adminPassword,
    long maxSystemBody,
    Duration maxLeaseWait,
    Duration leaseRetryInterval,
    Duration askTimeout,
    Duration statusTimeout,
    SlotHolder.Mode holdSlots,
    Duration slotHoldTime,
    Duration slotReportInterval) {

  public static GatewaySettings fromConfig(Config root) {
    Config c = root.getConfig("shardless.gateway");
    int port = c.getInt("port");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("shardless.gateway.port must be in 0..65535, was " + port);
    }
    String user = c.getString("admin-user");
    if (user.isBlank() || user.contains(":")) {
      throw new IllegalArgumentException(
          "shardless.gateway.admin-user must be non-empty without ':', was '" + user + "'");
    }
    long maxSystemBody = c.getBytes("max-system-body");
    if (maxSystemBody <= 0) {
      throw new IllegalArgumentException(
          "shardless.gateway.max-system-body must be > 0, was " + maxSystemBody);
    }
    return new GatewaySettings(
        c.getString("host"),
        port,
        user,
        c.getString("admin-password"),
        maxSystemBody,
        positive(c, "max-lease-wait"),
        positive(c, "lease-retry-interval"),
        positive(c, "ask-timeout"),
        positive(c, "status-timeout"),
        SlotHolder.Mode.parse(c.getString("hold-slots")),
        positive(c, "slot-hold-time"),
        positive(c, "slot-report-interval"));
  }

  /** Starts this node's {@link SlotHolder}. */
  public SlotHolder slotHolder(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return new SlotHolder(system, holdSlots, slotHoldTime, slotReportInterval);
  }

  /** How the gateway asks functions' entities for leases. */
  public Leases leases() {
    return new Leases(maxLeaseWait, leaseRetryInterval);
  }

  private static Duration positive(Config c, String key) {
    Duration d = c.getDuration(key);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("shardless.gateway." + key + " must be > 0, was " + d);
    }
    return d;
  }
}
