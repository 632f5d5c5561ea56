package dev.shardless.invoker.local;

import dev.shardless.invoker.InvokerSettings;
import dev.shardless.invoker.logs.LogSettings;
import dev.shardless.scheduler.port.SecretResolver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.Materializer;

/**
 * What every replica of one platform shares: settings, the actor system, and the invoker's own
 * threads. {@link #blocking()} (fixed size, {@code blocking-threads}) runs spawning, stdin writes,
 * file reads and readiness probes. {@link #control()} (one thread) runs timers and signals only, so
 * that a pool full of stalled stdin writes can still time out and kill the processes that stall
 * them.
 */
final class PlatformServices {
  final InvokerSettings settings;
  final ActorSystem<?> system;
  final Materializer materializer;
  final PidRegistry registry;
  final ReplicaLogs logs;
  final SecretResolver resolver;
  final ReplicaSecrets secrets;
  final Sandbox sandbox;
  private final Path tmpDir;
  private final ThreadPoolExecutor blocking;
  private final ScheduledThreadPoolExecutor control;
  private volatile boolean shuttingDown;

  PlatformServices(ActorSystem<?> system, InvokerSettings settings, SecretResolver resolver) {
    this.settings = settings;
    this.system = system;
    this.materializer = Materializer.matFromSystem(system);
    this.registry = new PidRegistry(settings.dataDir().resolve("run").resolve("replicas"));
    this.logs =
        new ReplicaLogs(
            settings.dataDir().resolve("logs"), LogSettings.fromConfig(system.settings().config()));
    this.tmpDir = settings.dataDir().resolve("tmp");
    this.resolver = resolver;
    this.secrets = new ReplicaSecrets(settings.dataDir());
    this.sandbox = Sandbox.detect(settings);
    int n = settings.blockingThreads();
    this.blocking =
        new ThreadPoolExecutor(
            n,
            n,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            threads("shardless-invoker-io"));
    this.blocking.allowCoreThreadTimeOut(true);
    this.control = new ScheduledThreadPoolExecutor(1, threads("shardless-invoker-control"));
    this.control.setRemoveOnCancelPolicy(true);
  }

  /** Where classic forks buffer their output; created on first use. */
  Path tmpDir() throws IOException {
    return Files.createDirectories(tmpDir);
  }

  ExecutorService blocking() {
    return blocking;
  }

  ScheduledExecutorService control() {
    return control;
  }

  /** Runs {@code task} on the control thread after {@code delay}. */
  ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    return control.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
  }

  /** Runs {@code task} on the blocking pool after {@code delay}. */
  ScheduledFuture<?> scheduleBlocking(Runnable task, Duration delay) {
    return schedule(() -> blocking.execute(task), delay);
  }

  boolean shuttingDown() {
    return shuttingDown;
  }

  void beginShutdown() {
    shuttingDown = true;
  }

  void shutdownThreads() {
    control.shutdown();
    blocking.shutdown();
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
