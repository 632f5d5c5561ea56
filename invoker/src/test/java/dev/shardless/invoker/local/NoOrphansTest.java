package dev.shardless.invoker.local;

import static dev.shardless.invoker.local.PlatformFixture.FUNCTION;
import static dev.shardless.invoker.local.PlatformFixture.WAIT;
import static dev.shardless.invoker.local.PlatformFixture.anyRuns;
import static dev.shardless.invoker.local.PlatformFixture.awaitGone;
import static dev.shardless.invoker.local.PlatformFixture.awaitPids;
import static dev.shardless.invoker.local.PlatformFixture.pythonHttp;
import static dev.shardless.invoker.local.PlatformFixture.resource;
import static dev.shardless.invoker.local.PlatformFixture.spec;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shardless.invoker.local.PlatformFixture.Event;
import dev.shardless.invoker.local.PlatformFixture.Ready;
import dev.shardless.invoker.local.PlatformFixture.Stopped;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.port.FunctionReplicas;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Process groups, stop, close, shutdown, JVM death and the reaper: nothing is left running. */
class NoOrphansTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final ReplicaId R1 = new ReplicaId("hello-1");
  private static final ReplicaId R2 = new ReplicaId("hello-2");

  @TempDir Path dataDir;
  private LocalProcessPlatform platform;
  private TestProbe<Event> probe;
  private FunctionReplicas replicas;

  @BeforeEach
  void open() {
    platform =
        new LocalProcessPlatform(
            testKit.system(), PlatformFixture.settings(dataDir, Duration.ofMillis(500)));
    probe = PlatformFixture.probe(testKit);
    replicas = platform.open(FUNCTION, PlatformFixture.events(probe));
  }

  @AfterEach
  void shutdown() throws Exception {
    platform.shutdown().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  private long[] startWithGrandchild(ReplicaId id, Map<String, String> extraEnv) {
    Path pidFile = dataDir.resolve(id + ".pid");
    Map<String, String> env = new java.util.HashMap<>(extraEnv);
    env.put("SPAWN_CHILD", "1");
    env.put("PID_FILE", pidFile.toString());
    replicas.start(id, pythonHttp("http_server.py", env));
    Ready ready = probe.expectMessageClass(Ready.class, WAIT);
    assertEquals(id, ready.id());
    return awaitPids(pidFile);
  }

  @Test
  void replicaLeadsItsOwnProcessGroup() {
    long[] pids = startWithGrandchild(R1, Map.of());

    assertEquals(pids[0], ProcessGroups.groupOf(pids[0]));
    assertEquals(pids[0], ProcessGroups.groupOf(pids[1]));
  }

  @Test
  void stopKillsTheWholeProcessGroup() {
    long[] pids = startWithGrandchild(R1, Map.of());
    assertTrue(anyRuns(pids[1]));

    replicas.stop(R1, Duration.ofSeconds(5));

    probe.expectMessage(WAIT, new Stopped(R1));
    assertFalse(ProcessGroups.groupRuns(pids[0]));
    awaitGone(pids);
  }

  @Test
  void stopKillsAReplicaThatIgnoresSigtermAfterTheGrace() {
    long[] pids = startWithGrandchild(R1, Map.of("IGNORE_TERM", "1"));

    replicas.stop(R1, Duration.ofMillis(300));

    probe.expectMessage(WAIT, new Stopped(R1));
    awaitGone(pids);
  }

  @Test
  void closeStopsEveryReplicaOfTheFunction() {
    long[] first = startWithGrandchild(R1, Map.of());
    long[] second = startWithGrandchild(R2, Map.of());

    replicas.close();

    awaitGone(first);
    awaitGone(second);
  }

  @Test
  void shutdownCompletesOnlyWhenNothingRuns() throws Exception {
    long[] httpPids = startWithGrandchild(R1, Map.of());
    Path forkPidFile = dataDir.resolve("fork.pid");
    replicas.start(
        R2, spec("sh " + resource("sleepy.sh"), Map.of("PID_FILE", forkPidFile.toString())));
    Ready classic = probe.expectMessageClass(Ready.class, WAIT);
    HttpClient.newHttpClient()
        .sendAsync(
            HttpRequest.newBuilder(PlatformFixture.uri(classic.endpoint(), "/")).build(),
            BodyHandlers.discarding());
    long[] forkPids = awaitPids(forkPidFile);

    platform.shutdown().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertFalse(ProcessGroups.groupRuns(httpPids[0]), "HTTP replica group still runs");
    assertFalse(ProcessGroups.groupRuns(forkPids[0]), "classic fork group still runs");
    assertFalse(anyRuns(httpPids));
    assertFalse(anyRuns(forkPids));
  }

  @Test
  void startAfterShutdownIsReportedLost() throws Exception {
    platform.shutdown().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    platform
        .open(FUNCTION, PlatformFixture.events(probe))
        .start(R1, pythonHttp("http_server.py", Map.of()));

    probe.expectMessage(WAIT, new PlatformFixture.Lost(R1, "the node is shutting down"));
  }

  @Test
  void replicasDieWhenTheirJvmIsKilled() throws Exception {
    Path pidFile = dataDir.resolve("hosted.pid");
    Path out = dataDir.resolve("host.out");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process host =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                PlatformHost.class.getName(),
                dataDir.resolve("host-data").toString(),
                resource("http_server.py"),
                pidFile.toString())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    try {
      long[] pids = awaitPids(pidFile);
      await().atMost(WAIT).until(() -> Files.readString(out).contains(PlatformHost.READY));
      assertTrue(anyRuns(pids[0]) && anyRuns(pids[1]));

      host.destroyForcibly(); // SIGKILL: no shutdown hook runs
      host.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);

      awaitGone(pids);
    } finally {
      host.destroyForcibly();
    }
  }

  @Test
  void reaperKillsStaleGroupsOfADeadOwnerOnConstruction() throws Exception {
    Process stale = new ProcessBuilder("setsid", "sleep", "1000").start();
    try {
      long pid = stale.pid();
      await().atMost(WAIT).until(() -> ProcessGroups.groupOf(pid) == pid);
      Path owner = dataDir.resolve("run/replicas/999999999-0");
      Files.createDirectories(owner);
      long started = PidRegistry.startMillis(stale.toHandle()).orElseThrow();
      Files.writeString(owner.resolve(Long.toString(pid)), started + " openfaas-fn/old/old-1\n");

      new LocalProcessPlatform(testKit.system(), PlatformFixture.settings(dataDir));

      awaitGone(pid);
      assertFalse(Files.exists(owner));
    } finally {
      stale.destroyForcibly();
    }
  }

  @Test
  void reaperSparesAProcessWhosePidWasReused() throws Exception {
    Process live = new ProcessBuilder("setsid", "sleep", "1000").start();
    try {
      long pid = live.pid();
      await().atMost(WAIT).until(() -> ProcessGroups.groupOf(pid) == pid);
      Path owner = dataDir.resolve("run/replicas/999999999-0");
      Files.createDirectories(owner);
      Files.writeString(owner.resolve(Long.toString(pid)), "12345 openfaas-fn/old/old-1\n");

      new LocalProcessPlatform(testKit.system(), PlatformFixture.settings(dataDir));

      assertFalse(Files.exists(owner));
      assertTrue(ProcessGroups.running(pid));
    } finally {
      live.destroyForcibly();
    }
  }
}
