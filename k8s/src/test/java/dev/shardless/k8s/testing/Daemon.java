package dev.shardless.k8s.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One long-running process of the test control plane (etcd, kube-apiserver,
 * kube-controller-manager), its output in a log file, tied to this JVM's life.
 *
 * <p>A shutdown hook cannot run after {@code kill -9} of the JVM (a failsafe fork timeout does
 * that), so each daemon is started as {@code sh -c WATCHER <jvm-pid> argv...}: the wrapper starts a
 * background watcher and then {@code exec}s the daemon (same pid). The watcher polls once a second
 * and SIGKILLs the daemon when this JVM is gone, and exits when the daemon is gone.
 */
final class Daemon implements AutoCloseable {
  private static final String WATCHER =
      String.join(
          "\n",
          "jvm=$1; shift",
          "( trap '' TERM INT HUP",
          "  while kill -0 \"$jvm\" 2>/dev/null && kill -0 $$ 2>/dev/null; do sleep 1; done",
          "  kill -0 \"$jvm\" 2>/dev/null || kill -9 $$",
          ") </dev/null >/dev/null 2>&1 &",
          "exec \"$@\"");

  private final String name;
  private final Process process;
  private final Path log;

  private Daemon(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code argv} with stdout and stderr appended to {@code log}. */
  static Daemon start(String name, List<String> argv, Path log) throws IOException {
    List<String> wrapped = new ArrayList<>(List.of("sh", "-c", WATCHER, name));
    wrapped.add(Long.toString(ProcessHandle.current().pid()));
    wrapped.addAll(argv);
    Process p =
        new ProcessBuilder(wrapped)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectErrorStream(true)
            .start();
    return new Daemon(name, p, log);
  }

  boolean alive() {
    return process.isAlive();
  }

  String name() {
    return name;
  }

  Path log() {
    return log;
  }

  /** The last few KiB of the log, for failure messages. */
  String logTail() {
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long from = Math.max(0, f.length() - 4096);
      byte[] b = new byte[(int) (f.length() - from)];
      f.seek(from);
      f.readFully(b);
      return new String(b, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** SIGKILL at once, as a crash would; its descendants (the watcher) too. */
  void kill() {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    descendants.forEach(ProcessHandle::destroyForcibly);
  }

  /** SIGTERM, up to 10 s to exit, then SIGKILL; its descendants (the watcher) too. */
  @Override
  public void close() {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    descendants.forEach(ProcessHandle::destroyForcibly);
  }
}
