package dev.shardless.invoker.local;

import static org.awaitility.Awaitility.await;

import dev.shardless.invoker.InvokerSettings;
import dev.shardless.invoker.SandboxMode;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.port.ReplicaEndpoint;
import dev.shardless.scheduler.port.ReplicaEvents;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

/** Shared helpers for tests that run real processes through a {@link LocalProcessPlatform}. */
final class PlatformFixture {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final FunctionId FUNCTION = new FunctionId("openfaas-fn", "hello");

  sealed interface Event {}

  record Ready(ReplicaId id, ReplicaEndpoint endpoint) implements Event {}

  record Lost(ReplicaId id, String reason) implements Event {}

  record Stopped(ReplicaId id) implements Event {}

  private PlatformFixture() {}

  /**
   * Settings for tests: the reference defaults with {@code dataDir}, unconfined (these tests watch
   * host pids and files; SandboxTest covers confinement).
   */
  static InvokerSettings settings(Path dataDir) {
    return InvokerSettings.fromConfig(com.typesafe.config.ConfigFactory.load())
        .withDataDir(dataDir)
        .withSandbox(SandboxMode.NONE);
  }

  /** {@link #settings(Path)} with another stop grace (for close and shutdown). */
  static InvokerSettings settings(Path dataDir, Duration stopGrace) {
    InvokerSettings s = settings(dataDir);
    return new InvokerSettings(
        s.dataDir(),
        s.workDir(),
        s.readinessTimeout(),
        s.readinessPollInterval(),
        s.bindHost(),
        stopGrace,
        s.classicMaxOutput(),
        s.blockingThreads(),
        s.sandbox());
  }

  /** Events that go to {@code probe}. */
  static ReplicaEvents events(TestProbe<Event> probe) {
    return new ReplicaEvents() {
      @Override
      public void ready(ReplicaId id, ReplicaEndpoint endpoint) {
        probe.ref().tell(new Ready(id, endpoint));
      }

      @Override
      public void lost(ReplicaId id, String reason) {
        probe.ref().tell(new Lost(id, reason));
      }

      @Override
      public void stopped(ReplicaId id) {
        probe.ref().tell(new Stopped(id));
      }
    };
  }

  static TestProbe<Event> probe(ActorTestKit testKit) {
    return testKit.createTestProbe(Event.class);
  }

  static FunctionSpec spec(String envProcess, Map<String, String> envVars) {
    return new FunctionSpec(
        FUNCTION, "", envProcess, envVars, null, null, null, null, null, null, false);
  }

  /** An HTTP-mode spec running {@code functions/<script>} with python3. */
  static FunctionSpec pythonHttp(String script, Map<String, String> envVars) {
    Map<String, String> env = new java.util.HashMap<>(envVars);
    env.put("mode", "http");
    return spec("python3 " + resource(script), env);
  }

  /** The absolute path of a test resource under {@code functions/}. */
  static String resource(String name) {
    try {
      return Path.of(PlatformFixture.class.getResource("/functions/" + name).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for a pid file written by a test function; returns its pids. */
  static long[] awaitPids(Path pidFile) {
    await().atMost(WAIT).until(() -> Files.exists(pidFile));
    try {
      return Arrays.stream(Files.readString(pidFile).trim().split("\\s+"))
          .mapToLong(Long::parseLong)
          .toArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until none of {@code pids} runs (zombies count as gone). */
  static void awaitGone(long... pids) {
    await()
        .atMost(WAIT)
        .until(() -> Arrays.stream(pids).noneMatch(pid -> pid > 0 && ProcessGroups.running(pid)));
  }

  static boolean anyRuns(long... pids) {
    return Arrays.stream(pids).anyMatch(pid -> pid > 0 && ProcessGroups.running(pid));
  }

  static URI uri(ReplicaEndpoint endpoint, String pathAndQuery) {
    return URI.create("http://" + endpoint.host() + ":" + endpoint.port() + pathAndQuery);
  }
}
