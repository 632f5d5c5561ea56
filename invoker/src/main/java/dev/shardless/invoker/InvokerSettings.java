package dev.shardless.invoker;

import com.typesafe.config.Config;
import dev.shardless.scheduler.model.GoDuration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code shardless.invoker} settings (see {@code reference.conf} for each key's unit, range and
 * consequence), parsed once and validated.
 *
 * @param dataDir {@code data-dir}: root of replica logs, the pid registry and output buffers
 * @param workDir {@code work-dir}: working directory of function processes
 * @param readinessTimeout {@code readiness-timeout}: how long an HTTP replica may take to listen
 * @param readinessPollInterval {@code readiness-poll-interval}: pause between readiness probes
 * @param bindHost {@code bind-host}: loopback address replicas are reached on
 * @param stopGrace {@code stop-grace}: SIGTERM to SIGKILL grace on close and shutdown
 * @param classicMaxOutput {@code classic-max-output}: most bytes one classic request may output
 * @param blockingThreads {@code blocking-threads}: size of the pool for blocking process work
 * @param sandbox {@code sandbox}: how function processes are confined
 */
public record InvokerSettings(
    Path dataDir,
    Path workDir,
    Duration readinessTimeout,
    Duration readinessPollInterval,
    String bindHost,
    Duration stopGrace,
    long classicMaxOutput,
    int blockingThreads,
    SandboxMode sandbox) {

  public static final String PATH = "shardless.invoker";
  private static final long MAX_OUTPUT = 1L << 30;
  private static final int MAX_THREADS = 1024;

  public InvokerSettings {
    Objects.requireNonNull(dataDir, PATH + ".data-dir");
    Objects.requireNonNull(workDir, PATH + ".work-dir");
    Objects.requireNonNull(sandbox, PATH + ".sandbox");
    requirePositive("readiness-timeout", readinessTimeout);
    requirePositive("readiness-poll-interval", readinessPollInterval);
    if (readinessPollInterval.compareTo(Duration.ofSeconds(1)) > 0) {
      throw new IllegalArgumentException(
          PATH + ".readiness-poll-interval must be <= 1s, was " + show(readinessPollInterval));
    }
    if (bindHost == null || bindHost.isBlank()) {
      throw new IllegalArgumentException(
          PATH + ".bind-host must not be empty, was '" + bindHost + "'");
    }
    if (stopGrace == null || stopGrace.isNegative()) {
      throw new IllegalArgumentException(PATH + ".stop-grace must be >= 0, was " + show(stopGrace));
    }
    if (classicMaxOutput < 1 || classicMaxOutput > MAX_OUTPUT) {
      throw new IllegalArgumentException(
          PATH + ".classic-max-output must be in 1..1073741824 bytes, was " + classicMaxOutput);
    }
    if (blockingThreads < 1 || blockingThreads > MAX_THREADS) {
      throw new IllegalArgumentException(
          PATH + ".blocking-threads must be in 1.." + MAX_THREADS + ", was " + blockingThreads);
    }
  }

  /** Reads {@code shardless.invoker} from the full configuration (e.g. the actor system's). */
  public static InvokerSettings fromConfig(Config root) {
    Config c = root.getConfig(PATH);
    return new InvokerSettings(
        path(c, "data-dir"),
        path(c, "work-dir"),
        c.getDuration("readiness-timeout"),
        c.getDuration("readiness-poll-interval"),
        c.getString("bind-host"),
        c.getDuration("stop-grace"),
        c.getBytes("classic-max-output"),
        c.getInt("blocking-threads"),
        SandboxMode.parse(PATH + ".sandbox", c.getString("sandbox")));
  }

  /** A copy with another data directory, e.g. for a test or a second node on the same host. */
  public InvokerSettings withDataDir(Path dir) {
    return new InvokerSettings(
        dir,
        workDir,
        readinessTimeout,
        readinessPollInterval,
        bindHost,
        stopGrace,
        classicMaxOutput,
        blockingThreads,
        sandbox);
  }

  /** A copy with another sandbox mode, e.g. for a test. */
  public InvokerSettings withSandbox(SandboxMode mode) {
    return new InvokerSettings(
        dataDir,
        workDir,
        readinessTimeout,
        readinessPollInterval,
        bindHost,
        stopGrace,
        classicMaxOutput,
        blockingThreads,
        mode);
  }

  /** A copy with another working directory for function processes. */
  public InvokerSettings withWorkDir(Path dir) {
    return new InvokerSettings(
        dataDir,
        dir,
        readinessTimeout,
        readinessPollInterval,
        bindHost,
        stopGrace,
        classicMaxOutput,
        blockingThreads,
        sandbox);
  }

  private static Path path(Config c, String key) {
    String value = c.getString(key);
    if (value.isBlank()) {
      throw new IllegalArgumentException(
          PATH + "." + key + " must not be empty, was '" + value + "'");
    }
    try {
      return Path.of(value).toAbsolutePath().normalize();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          PATH + "." + key + " must be a path, was '" + value + "': " + e.getMessage(), e);
    }
  }

  private static void requirePositive(String key, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(PATH + "." + key + " must be > 0, was " + show(value));
    }
  }

  private static String show(Duration d) {
    return d == null ? "null" : d.isNegative() ? d.toString() : GoDuration.format(d);
  }
}
