package dev.shardless.persistence.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One {@code ./shardless cassandra} process of the repository this test runs in, with its output in
 * a log file, a watchdog that stops it if the test JVM dies without running its shutdown hooks
 * ({@code kill -9}), and a shutdown hook for every other exit.
 *
 * <p>The launcher {@code exec}s the Cassandra JVM, so the process is the server itself once it
 * runs; before that it may be Maven building {@code persistence/cassandra-server}. Stopping sends
 * SIGTERM to the process and every descendant, and SIGKILL to whatever is left after {@link
 * #STOP_BOUND}.
 */
final class ServerProcess {
  /** Cassandra drains and flushes on SIGTERM in about 7 s; this bounds a stuck one. */
  static final Duration STOP_BOUND = Duration.ofSeconds(60);

  private final Process process;
  private final Process watchdog;
  private final Path log;
  private final Path dataDir;
  private final Thread hook;

  private ServerProcess(Process process, Process watchdog, Path log, Path dataDir) {
    this.process = process;
    this.watchdog = watchdog;
    this.log = log;
    this.dataDir = dataDir;
    this.hook = new Thread(this::stop, "cassandra-server-stop-" + process.pid());
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Runs {@code <root>/shardless cassandra} with the CQL port {@code port} (storage port {@code
   * port + 1}) and data in {@code dataDir}, its output appended to {@code log}. The launcher runs
   * with this JVM's Java first on the PATH.
   */
  static ServerProcess launch(Path root, int port, Path dataDir, Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(root.resolve("shardless").toString(), "cassandra");
    pb.directory(root.toFile());
    Map<String, String> env = pb.environment();
    Path javaHome = Path.of(System.getProperty("java.home"));
    env.put("JAVA_HOME", javaHome.toString());
    env.put("PATH", javaHome.resolve("bin") + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("SHARDLESS_CASSANDRA_PORT", Integer.toString(port));
    env.put("SHARDLESS_CASSANDRA_DATA_DIR", dataDir.toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process process = pb.start();
    Process watchdog;
    try {
      watchdog = watchdog(ProcessHandle.current().pid(), process.pid());
    } catch (IOException e) {
      destroyTree(process);
      throw e;
    }
    return new ServerProcess(process, watchdog, log, dataDir);
  }

  /** SIGTERMs {@code server} once {@code testJvm} is gone; exits by itself when the server is. */
  private static Process watchdog(long testJvm, long server) throws IOException {
    String script =
        "while kill -0 \"$1\" 2>/dev/null && kill -0 \"$2\" 2>/dev/null; do sleep 1; done;"
            + " kill -TERM \"$2\" 2>/dev/null; exit 0";
    return new ProcessBuilder(
            "sh", "-c", script, "cassandra-watchdog", Long.toString(testJvm), Long.toString(server))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  int exitValue() {
    return process.exitValue();
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  /** The last {@code lines} lines of the server's output, for failure messages. */
  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /**
   * Stops the server and its descendants and waits for them, then deletes the data directory (the
   * log stays). Idempotent; also run by the shutdown hook.
   */
  synchronized void stop() {
    watchdog.destroy();
    destroyTree(process);
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // Called from the hook itself.
    }
    deleteRecursively(dataDir);
  }

  private static void destroyTree(Process process) {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    for (ProcessHandle p : tree) {
      try {
        p.onExit().get(STOP_BOUND.toSeconds(), TimeUnit.SECONDS);
      } catch (TimeoutException | ExecutionException e) {
        p.destroyForcibly();
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      // Under target/: the next clean removes what is left.
    }
  }
}
