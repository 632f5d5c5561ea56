package dev.shardless.cluster.node;

import com.typesafe.config.Config;
import dev.shardless.scheduler.model.FunctionSpecValidator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The node's own settings ({@code shardless.node} in reference.conf), parsed and checked once.
 *
 * @param namespaces namespaces functions may live in; the first is the default (with the Kubernetes
 *     platform, also the Kubernetes namespaces of their Function resources and pods)
 * @param startupTimeout how long the start-up waits for the function registry to answer its first
 *     call (its recovery from the journal) before the node gives up
 * @param platform where function replicas run
 */
public record NodeSettings(
    Path dataDir,
    boolean examples,
    Path examplesDir,
    List<String> namespaces,
    Duration startupTimeout,
    Platform platform) {

  /** Where function replicas run ({@code shardless.node.platform}). */
  public enum Platform {
    /** OS processes on the node that hosts the function's entity (the embedded default). */
    LOCAL,
    /** Pods of one Deployment per function, built from Function resources (docs/kubernetes.md). */
    KUBERNETES
  }

  public NodeSettings {
    namespaces = List.copyOf(namespaces);
  }

  public static NodeSettings fromConfig(Config root) {
    Config c = root.getConfig("shardless.node");
    String dataDir = c.getString("data-dir").trim();
    if (dataDir.isEmpty()) {
      throw new IllegalArgumentException("shardless.node.data-dir must not be empty");
    }
    List<String> namespaces =
        Arrays.stream(c.getString("namespaces").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList();
    if (namespaces.isEmpty()) {
      throw new IllegalArgumentException(
          "shardless.node.namespaces must name at least one namespace, was '"
              + c.getString("namespaces")
              + "'");
    }
    for (String ns : namespaces) {
      String problem = FunctionSpecValidator.nameProblem(ns);
      if (problem != null) {
        throw new IllegalArgumentException("shardless.node.namespaces: '" + ns + "' " + problem);
      }
    }
    Duration startupTimeout = c.getDuration("startup-timeout");
    if (startupTimeout.isZero() || startupTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "shardless.node.startup-timeout must be > 0, was " + c.getString("startup-timeout"));
    }
    String platform = c.getString("platform").trim();
    Platform parsed =
        switch (platform) {
          case "local" -> Platform.LOCAL;
          case "kubernetes" -> Platform.KUBERNETES;
          default ->
              throw new IllegalArgumentException(
                  "shardless.node.platform (SHARDLESS_PLATFORM) must be \"local\" or"
                      + " \"kubernetes\", was \""
                      + platform
                      + "\"");
        };
    return new NodeSettings(
        Path.of(dataDir).toAbsolutePath().normalize(),
        c.getBoolean("examples"),
        Path.of(c.getString("examples-dir")).toAbsolutePath().normalize(),
        namespaces,
        startupTimeout,
        parsed);
  }

  public String defaultNamespace() {
    return namespaces.get(0);
  }
}
