package dev.shardless.cluster.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real node shared by all tests of a class: {@code @RegisterExtension static final RunningNode
 * NODE = new RunningNode();} starts it in its own data directory before the first test and stops it
 * after the last.
 */
final class RunningNode implements BeforeAllCallback, AfterAllCallback {
  private final Map<String, String> env;
  private final boolean kanelaAgent;
  private Path dir;
  private NodeProcess node;
  private Api api;

  RunningNode() {
    this(Map.of());
  }

  /** A node started with these extra environment variables (settings). */
  RunningNode(Map<String, String> env) {
    this(env, false);
  }

  /** A node started with these settings, and with the Kanela agent when {@code kanelaAgent}. */
  RunningNode(Map<String, String> env, boolean kanelaAgent) {
    this.env = Map.copyOf(env);
    this.kanelaAgent = kanelaAgent;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("shardless-it-");
    NodeProcess process = new NodeProcess(dir.resolve("data"), env);
    node = (kanelaAgent ? process.withKanelaAgent() : process).start();
    api = new Api(node);
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (node != null) {
      node.close();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  NodeProcess node() {
    return node;
  }

  Api api() {
    return api;
  }
}
