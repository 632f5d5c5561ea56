package dev.shardless.cluster.node;

import com.typesafe.config.Config;
import dev.shardless.scheduler.model.FunctionSpecValidator;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The node's own settings ({@code shardless.node} in reference.conf), parsed and checked once.
 *
 * @param namespaces namespaces functions may live in; the first is the default
 */
public record NodeSettings(
    Path dataDir, boolean examples, Path examplesDir, List<String> namespaces) {

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
    return new NodeSettings(
        Path.of(dataDir).toAbsolutePath().normalize(),
        c.getBoolean("examples"),
        Path.of(c.getString("examples-dir")).toAbsolutePath().normalize(),
        namespaces);
  }

  public String defaultNamespace() {
    return namespaces.get(0);
  }
}
