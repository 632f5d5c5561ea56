package dev.shardless.cluster.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Shardless node in its own JVM ({@code dev.shardless.cluster.Main}), started the way the
 * launcher starts it: settings from the environment, HTTP on a free port of 127.0.0.1. Its output
 * goes to {@code <dataDir>/../node-N.log} for post-mortems.
 */
final class NodeProcess implements AutoCloseable {
  static final String USER = "admin";
  static final String PASSWORD = "it-secret";
  private static int started;

  private final Path dataDir;
  private final Map<String, String> extraEnv;
  private boolean kanelaAgent;
  private static final java.util.regex.Pattern RUNNING =
      java.util.regex.Pattern.compile("Shardless is running: http://127\\.0\\.0\\.1:(\\d+)");
  private int port;
  private Process process;
  private Path log;

  NodeProcess(Path dataDir, Map<String, String> extraEnv) throws IOException {
    this.dataDir = dataDir;
    this.extraEnv = Map.copyOf(extraEnv);
  }

  NodeProcess(Path dataDir) throws IOException {
    this(dataDir, Map.of());
  }

  /**
   * Starts the JVM with the Kanela agent ({@code -javaagent}, as {@code ./shardless} does), so the
   * Kamon bundle instruments Pekko and Pekko HTTP. The agent is {@code target/kanela-agent.jar},
   * copied there by the cluster module's package phase.
   */
  NodeProcess withKanelaAgent() {
    kanelaAgent = true;
    return this;
  }

  /** The node's data directory. */
  Path dataDir() {
    return dataDir;
  }

  /** Starts the JVM, learns its HTTP port from its output, and waits until /healthz answers. */
  NodeProcess start() throws IOException {
    return start(Duration.ofSeconds(90));
  }

  /** As {@link #start()}, waiting at most {@code bound} (a node joining a cluster waits longer). */
  NodeProcess start(Duration bound) throws IOException {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-XX:+UseParallelGC");
    command.add("-Djava.util.concurrent.ForkJoinPool.common.parallelism=4");
    if (kanelaAgent) {
      Path agent = Path.of("target", "kanela-agent.jar").toAbsolutePath();
      if (!Files.isRegularFile(agent)) {
        throw new IllegalStateException(agent + " missing: the cluster module's package copies it");
      }
      command.add("-javaagent:" + agent);
    }
    command.add("-cp");
    command.add(classpath);
    command.add("dev.shardless.cluster.Main");
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = new HashMap<>();
    // Port 0: the node binds a free port itself and prints it. A port chosen here and handed over
    // could be taken meanwhile, e.g. by the node's own cluster transport on port 0.
    env.put("SHARDLESS_HTTP_PORT", "0");
    env.put("SHARDLESS_HTTP_HOST", "127.0.0.1");
    env.put("SHARDLESS_DATA_DIR", dataDir.toString());
    env.put("SHARDLESS_ADMIN_PASSWORD", PASSWORD);
    env.put("SHARDLESS_EXAMPLES", "false");
    env.put("SHARDLESS_CLUSTER_PORT", "0");
    env.put("SHARDLESS_MANAGEMENT_PORT", "0");
    // Metrics on a free port too: nodes of different tests (or CI runs) must not share 9095.
    env.put("SHARDLESS_METRICS_PORT", "0");
    env.putAll(extraEnv);
    pb.environment().putAll(env);
    Files.createDirectories(dataDir);
    log = dataDir.resolveSibling(dataDir.getFileName() + "-node-" + (++started) + ".log");
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    process = pb.start();
    HttpClient client = HttpClient.newHttpClient();
    try {
      await()
          .atMost(bound)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      "node exited with "
                          + process.exitValue()
                          + "; log:\n"
                          + Files.readString(log));
                }
                java.util.regex.Matcher m = RUNNING.matcher(Files.readString(log));
                if (!m.find()) {
                  return false;
                }
                port = Integer.parseInt(m.group(1));
                try {
                  return client
                          .send(
                              HttpRequest.newBuilder(uri("/healthz")).build(),
                              HttpResponse.BodyHandlers.discarding())
                          .statusCode()
                      == 200;
                } catch (IOException e) {
                  return false;
                }
              });
    } catch (RuntimeException e) {
      close(); // a node that did not come up must not outlive the test
      throw e;
    }
    return this;
  }

  /** Everything the node printed so far. */
  String output() throws IOException {
    return Files.readString(log);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  /** SIGTERM: coordinated shutdown; waits for the JVM to exit. */
  int stopGracefully() throws InterruptedException {
    process.destroy();
    return process.waitFor();
  }

  /** SIGTERM without waiting: the node runs coordinated shutdown meanwhile. */
  void terminate() {
    process.destroy();
  }

  /** Waits for the JVM to exit (after {@link #terminate()}, or after being downed). */
  int waitForExit() throws InterruptedException {
    return process.waitFor();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Sends {@code signal} (e.g. STOP, CONT) to the node's JVM. */
  void signal(String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + pid() + " failed");
    }
  }

  /** SIGKILL: no shutdown hooks run. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        // Bounded: a node that never became a member can take long to leave; then kill it.
        if (!process.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
