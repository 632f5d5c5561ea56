package dev.shardless.invoker.local;

import static dev.shardless.invoker.local.PlatformFixture.FUNCTION;
import static dev.shardless.invoker.local.PlatformFixture.WAIT;
import static dev.shardless.invoker.local.PlatformFixture.awaitGone;
import static dev.shardless.invoker.local.PlatformFixture.awaitPids;
import static dev.shardless.invoker.local.PlatformFixture.pythonHttp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shardless.invoker.local.PlatformFixture.Event;
import dev.shardless.invoker.local.PlatformFixture.Lost;
import dev.shardless.invoker.local.PlatformFixture.Ready;
import dev.shardless.invoker.local.PlatformFixture.Stopped;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.port.FunctionReplicas;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpModeTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final ReplicaId R1 = new ReplicaId("hello-1");

  @TempDir Path dataDir;
  private LocalProcessPlatform platform;
  private TestProbe<Event> probe;
  private FunctionReplicas replicas;

  @BeforeEach
  void open() {
    platform = new LocalProcessPlatform(testKit.system(), PlatformFixture.settings(dataDir));
    probe = PlatformFixture.probe(testKit);
    replicas = platform.open(FUNCTION, PlatformFixture.events(probe));
  }

  @AfterEach
  void shutdown() throws Exception {
    platform
        .shutdown()
        .toCompletableFuture()
        .get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void becomesReadyAndAnswersOnItsPort() throws Exception {
    replicas.start(R1, pythonHttp("http_server.py", Map.of("GREETING", "hola")));

    Ready ready = probe.expectMessageClass(Ready.class, WAIT);
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(PlatformFixture.uri(ready.endpoint(), "/")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertEquals(R1, ready.id());
    assertEquals("127.0.0.1", ready.endpoint().host());
    assertEquals(200, response.statusCode());
    assertEquals("hola\n", response.body());
  }

  @Test
  void writesItsOutputToTheReplicaLog() throws Exception {
    replicas.start(R1, pythonHttp("http_server.py", Map.of()));
    Ready ready = probe.expectMessageClass(Ready.class, WAIT);

    Path log = dataDir.resolve("logs/openfaas-fn/hello/hello-1.log");
    // the pump writes asynchronously, with a time stamp before each line
    org.awaitility.Awaitility.await()
        .atMost(WAIT)
        .until(
            () ->
                Files.readString(log)
                    .matches(
                        "(?s).*\\d{4}-\\d\\d-\\d\\dT[0-9:.]{18}Z starting on port "
                            + ready.endpoint().port()
                            + ".*"));
  }

  @Test
  void exitAfterReadyIsReportedLostWithTheExitCode() {
    replicas.start(R1, pythonHttp("http_server.py", Map.of("EXIT_CODE", "7")));
    Ready ready = probe.expectMessageClass(Ready.class, WAIT);

    get(PlatformFixture.uri(ready.endpoint(), "/exit"));

    assertEquals(new Lost(R1, "exited with code 7"), probe.expectMessageClass(Lost.class, WAIT));
  }

  @Test
  void exitBeforeReadyIsReportedLostWithTheTailOfItsLog() {
    replicas.start(R1, pythonHttp("fail_early.py", Map.of()));

    Lost lost = probe.expectMessageClass(Lost.class, WAIT);
    assertTrue(lost.reason().startsWith("exited with code 3 before it was ready: "), lost.reason());
    assertTrue(lost.reason().contains("starting up"), lost.reason());
    assertTrue(lost.reason().contains("config error: DATABASE_URL is not set"), lost.reason());
  }

  @Test
  void missingCommandIsReportedLost() {
    replicas.start(
        R1, PlatformFixture.spec("no-such-command-xyz --port 8080", Map.of("mode", "http")));

    Lost lost = probe.expectMessageClass(Lost.class, WAIT);
    assertTrue(lost.reason().startsWith("command not found: no-such-command-xyz"), lost.reason());
  }

  @Test
  void replicaNotReadyInTimeIsKilledAndReportedLost() throws Exception {
    platform.shutdown();
    platform =
        new LocalProcessPlatform(
            testKit.system(),
            new dev.shardless.invoker.InvokerSettings(
                dataDir,
                Path.of(".").toAbsolutePath(),
                Duration.ofMillis(500),
                Duration.ofMillis(10),
                "127.0.0.1",
                Duration.ofSeconds(5),
                1 << 20,
                4,
                dev.shardless.invoker.SandboxMode.NONE));
    replicas = platform.open(FUNCTION, PlatformFixture.events(probe));
    Path pidFile = dataDir.resolve("never.pid");

    replicas.start(
        R1,
        pythonHttp(
            "http_server.py",
            Map.of("NO_LISTEN", "1", "SPAWN_CHILD", "1", "PID_FILE", pidFile.toString())));

    assertEquals(new Lost(R1, "not ready after 500ms"), probe.expectMessageClass(Lost.class, WAIT));
    awaitGone(awaitPids(pidFile));
  }

  @Test
  void stopOfAnUnknownReplicaIsReportedStoppedAtOnce() {
    replicas.stop(new ReplicaId("nobody"), Duration.ofSeconds(1));

    probe.expectMessage(WAIT, new Stopped(new ReplicaId("nobody")));
  }

  private static void get(java.net.URI uri) {
    try {
      http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      // the function may exit before its answer is read
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
