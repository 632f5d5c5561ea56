package dev.shardless.invoker.local;

import static dev.shardless.invoker.local.PlatformFixture.FUNCTION;
import static dev.shardless.invoker.local.PlatformFixture.WAIT;
import static dev.shardless.invoker.local.PlatformFixture.awaitGone;
import static dev.shardless.invoker.local.PlatformFixture.awaitPids;
import static dev.shardless.invoker.local.PlatformFixture.resource;
import static dev.shardless.invoker.local.PlatformFixture.spec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shardless.invoker.InvokerSettings;
import dev.shardless.invoker.SandboxMode;
import dev.shardless.invoker.local.PlatformFixture.Event;
import dev.shardless.invoker.local.PlatformFixture.Ready;
import dev.shardless.invoker.local.PlatformFixture.Stopped;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.port.FunctionReplicas;
import dev.shardless.scheduler.port.ReplicaEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassicModeTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final ReplicaId R1 = new ReplicaId("hello-1");

  @TempDir Path dataDir;
  private LocalProcessPlatform platform;
  private TestProbe<Event> probe;
  private FunctionReplicas replicas;

  @AfterEach
  void shutdown() throws Exception {
    platform.shutdown().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  private ReplicaEndpoint startReady(FunctionSpec spec) {
    return startReady(PlatformFixture.settings(dataDir), spec);
  }

  private ReplicaEndpoint startReady(InvokerSettings settings, FunctionSpec spec) {
    platform = new LocalProcessPlatform(testKit.system(), settings);
    probe = PlatformFixture.probe(testKit);
    replicas = platform.open(FUNCTION, PlatformFixture.events(probe));
    replicas.start(R1, spec);
    Ready ready = probe.expectMessageClass(Ready.class, WAIT);
    assertEquals(R1, ready.id());
    return ready.endpoint();
  }

  private static HttpRequest.Builder request(ReplicaEndpoint endpoint, String pathAndQuery) {
    return HttpRequest.newBuilder(PlatformFixture.uri(endpoint, pathAndQuery));
  }

  @Test
  void echoesTheBodyThroughCatAndLogsLikeTheWatchdog() throws Exception {
    ReplicaEndpoint endpoint = startReady(spec("cat", Map.of()));

    HttpResponse<String> response =
        http.send(
            request(endpoint, "/")
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{\"hello\":1}"))
                .build(),
            BodyHandlers.ofString());

    assertEquals(200, response.statusCode());
    assertEquals("{\"hello\":1}", response.body());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
    String log = Files.readString(dataDir.resolve("logs/openfaas-fn/hello/hello-1.log"));
    assertTrue(log.contains("Forking fprocess."), log);
    assertTrue(log.contains("{\"hello\":1}"), log);
    assertTrue(log.matches("(?s).*Wrote 11 Bytes - Duration: \\d+\\.\\d{6}s.*"), log);
  }

  @Test
  void answersWithTheConfiguredContentType() throws Exception {
    ReplicaEndpoint endpoint = startReady(spec("cat", Map.of("content_type", "text/html")));

    HttpResponse<String> response =
        http.send(
            request(endpoint, "/").POST(BodyPublishers.ofString("<p>hi</p>")).build(),
            BodyHandlers.ofString());

    assertTrue(
        response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"),
        response.headers().toString());
  }

  @Test
  void passesCgiVariablesAndFunctionEnvironment() throws Exception {
    ReplicaEndpoint endpoint = startReady(spec("env", Map.of("GREETING", "hola")));

    HttpResponse<String> response =
        http.send(
            request(endpoint, "/some/path?x=1&y=two").header("X-Custom-Thing", "hi").GET().build(),
            BodyHandlers.ofString());

    assertEquals(200, response.statusCode());
    List<String> lines = response.body().lines().toList();
    for (String expected :
        List.of(
            "Http_Method=GET",
            "Http_Path=/some/path",
            "Http_Query=x=1&y=two",
            "Http_X_Custom_Thing=hi",
            "Http_ContentLength=0",
            "GREETING=hola")) {
      assertTrue(lines.contains(expected), expected + " missing from " + lines);
    }
    assertTrue(
        response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"),
        response.headers().toString());
  }

  @Test
  void nonZeroExitAnswers500WithTheOutput() throws Exception {
    ReplicaEndpoint endpoint = startReady(spec("sh " + resource("fail.sh"), Map.of()));

    HttpResponse<String> response =
        http.send(request(endpoint, "/").GET().build(), BodyHandlers.ofString());

    assertEquals(500, response.statusCode());
    assertTrue(response.body().contains("boom on stdout"), response.body());
    assertTrue(response.body().contains("bad on stderr"), response.body());
  }

  @Test
  void timeoutAnswers504AndKillsTheForkedGroup() throws Exception {
    Path pidFile = dataDir.resolve("fork.pid");
    ReplicaEndpoint endpoint =
        startReady(
            spec(
                "sh " + resource("sleepy.sh"),
                Map.of("exec_timeout", "1s", "PID_FILE", pidFile.toString())));

    HttpResponse<String> response =
        http.send(request(endpoint, "/").GET().build(), BodyHandlers.ofString());

    assertEquals(504, response.statusCode());
    assertTrue(response.body().contains("timed out after 1s"), response.body());
    awaitGone(awaitPids(pidFile));
  }

  @Test
  void streamsBodiesOfSeveralMebibytesThroughCat() throws Exception {
    ReplicaEndpoint endpoint = startReady(spec("cat", Map.of()));
    byte[] body = new byte[12 * 1024 * 1024];
    new Random(42).nextBytes(body);

    HttpResponse<byte[]> response =
        http.send(
            request(endpoint, "/")
                .header("Content-Type", "application/octet-stream")
                .POST(BodyPublishers.ofByteArray(body))
                .build(),
            BodyHandlers.ofByteArray());

    assertEquals(200, response.statusCode());
    assertArrayEquals(body, response.body());
  }

  @Test
  void outputBeyondTheLimitAnswers500() throws Exception {
    InvokerSettings small =
        new InvokerSettings(
            dataDir,
            Path.of(".").toAbsolutePath(),
            Duration.ofSeconds(60),
            Duration.ofMillis(10),
            "127.0.0.1",
            Duration.ofSeconds(5),
            1024,
            4,
            SandboxMode.NONE);
    ReplicaEndpoint endpoint = startReady(small, spec("cat", Map.of()));

    HttpResponse<String> response =
        http.send(
            request(endpoint, "/").POST(BodyPublishers.ofString("x".repeat(64 * 1024))).build(),
            BodyHandlers.ofString());

    assertEquals(500, response.statusCode());
    assertTrue(response.body().startsWith("output exceeds 1024 bytes"), response.body());
  }

  @Test
  void missingCommandAnswers500WithTheReason() throws Exception {
    ReplicaEndpoint endpoint = startReady(spec("no-such-command-xyz", Map.of()));

    HttpResponse<String> response =
        http.send(request(endpoint, "/").GET().build(), BodyHandlers.ofString());

    assertEquals(500, response.statusCode());
    assertTrue(
        response.body().startsWith("command not found: no-such-command-xyz"), response.body());
  }

  @Test
  void stopKillsInFlightForksAfterTheGraceThenReportsStopped() throws Exception {
    Path pidFile = dataDir.resolve("fork.pid");
    ReplicaEndpoint endpoint =
        startReady(spec("sh " + resource("sleepy.sh"), Map.of("PID_FILE", pidFile.toString())));
    CompletableFuture<HttpResponse<String>> pending =
        http.sendAsync(request(endpoint, "/").GET().build(), BodyHandlers.ofString());
    long[] pids = awaitPids(pidFile);

    replicas.stop(R1, Duration.ofMillis(200));

    probe.expectMessage(WAIT, new Stopped(R1));
    assertEquals(503, pending.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode());
    awaitGone(pids);
  }

  @Test
  void stoppedReplicaNoLongerListens() throws Exception {
    ReplicaEndpoint endpoint = startReady(spec("cat", Map.of()));

    replicas.stop(R1, Duration.ofSeconds(1));
    probe.expectMessage(WAIT, new Stopped(R1));

    try (Socket s = new Socket()) {
      assertThrows(
          IOException.class,
          () -> s.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), 1000));
    }
  }
}
