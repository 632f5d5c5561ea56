package dev.shardless.cluster;

import com.typesafe.config.Config;
import dev.shardless.cluster.node.NodeSettings;
import dev.shardless.cluster.node.ShardlessNode;

/**
 * Starts one Shardless node in the foreground with settings from the environment (see
 * docs/configuration.md). Exits non-zero with a one-line reason when it cannot start.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    ShardlessNode node;
    Config config;
    try {
      config = ShardlessNode.loadConfig();
      node = ShardlessNode.start(config).toCompletableFuture().join();
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("shardless: cannot start: " + cause.getMessage());
      System.exit(1);
      return;
    }
    NodeSettings settings = NodeSettings.fromConfig(config);
    System.out.println();
    System.out.println("Shardless is running: http://127.0.0.1:" + node.httpPort());
    System.out.println("  data directory: " + settings.dataDir());
    node.metricsAddress()
        .ifPresent(
            a ->
                System.out.println(
                    "  metrics: http://"
                        + a.getAddress().getHostAddress()
                        + ":"
                        + a.getPort()
                        + "/metrics"));
    if (node.managementUri() != null) {
      System.out.println(
          "  management (health: /health/alive, /health/ready): " + node.managementUri());
    }
    if (node.credentials().generated()) {
      System.out.println(
          "  admin password (generated once, kept in "
              + node.credentials().file()
              + "): "
              + node.credentials().password());
    } else if (node.credentials().file() != null) {
      System.out.println("  admin password: in " + node.credentials().file());
    }
    if (node.examplesDeployed() > 0) {
      System.out.println(
          "  examples deployed: "
              + node.examplesDeployed()
              + " (try: curl http://127.0.0.1:"
              + node.httpPort()
              + "/function/python-hello -d 'hi')");
    }
    System.out.println("  stop with Ctrl-C");
    System.out.println();
    node.whenTerminated().join();
  }
}
