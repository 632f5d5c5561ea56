package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /system/logs} on a real node, replica logs on its disk, rotation included. */
class LogsIT {
  private static final long MAX_FILE_SIZE = 64 * 1024;
  private static final int MAX_FILES = 2;
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String RFC3339_NANO =
      "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})?Z";

  @RegisterExtension
  static final RunningNode NODE =
      new RunningNode(
          Map.of(
              "JAVA_TOOL_OPTIONS",
              "-Dshardless.invoker.logs.max-file-size="
                  + MAX_FILE_SIZE
                  + " -Dshardless.invoker.logs.max-files="
                  + MAX_FILES
                  + " -Dshardless.invoker.logs.follow-poll-interval=50ms"));

  private final Api api = NODE.api();

  @Test
  void httpFunctionOutputIsInItsLogsAsNdjson() throws Exception {
    deploy(Api.probe("logs-http", "", ""));
    String text = "hello-" + UUID.randomUUID();
    print("logs-http", text, 1);

    HttpResponse<String> r = api.system("GET", "/system/logs?name=logs-http", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/x-ndjson");
    JsonNode line =
        lines(r).stream()
            .filter(l -> l.get("text").asText().equals(text))
            .findFirst()
            .orElseThrow();
    assertThat(line.get("name").asText()).isEqualTo("logs-http");
    assertThat(line.get("namespace").asText()).isEqualTo("openfaas-fn");
    assertThat(line.get("instance").asText()).isNotBlank();
    assertThat(line.get("timestamp").asText()).matches(RFC3339_NANO);
    List<Instant> times =
        lines(r).stream().map(l -> Instant.parse(l.get("timestamp").asText())).toList();
    assertThat(times).isSorted();
  }

  @Test
  void classicFunctionLogsTheWatchdogLinesAndItsOutput() throws Exception {
    deploy(Api.classic("logs-classic", ""));
    assertThat(api.invoke("POST", "/function/logs-classic/x", "hi").statusCode()).isEqualTo(200);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              List<String> texts = texts(get("/system/logs?name=logs-classic"));
              assertThat(texts)
                  .anyMatch(
                      t ->
                          t.matches(
                              "\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d Forking fprocess\\."));
              assertThat(texts).contains("method=POST", "body=hi");
              assertThat(texts)
                  .anyMatch(t -> t.matches(".* Wrote \\d+ Bytes - Duration: \\d+\\.\\d{6}s"));
            });
  }

  @Test
  void tailKeepsTheLastLinesAndInstanceSelectsOneReplica() throws Exception {
    deploy(Api.probe("logs-tail", "", ""));
    String text = "tail-" + UUID.randomUUID();
    for (int i = 1; i <= 5; i++) {
      print("logs-tail", text + "-" + i, 1);
    }

    List<JsonNode> last = lines(get("/system/logs?name=logs-tail&tail=2"));
    assertThat(last)
        .extracting(l -> l.get("text").asText())
        .containsExactly(text + "-4", text + "-5");

    String instance = last.get(0).get("instance").asText();
    List<JsonNode> one = lines(get("/system/logs?name=logs-tail&instance=" + instance));
    assertThat(one).isNotEmpty().allMatch(l -> l.get("instance").asText().equals(instance));
    assertThat(lines(get("/system/logs?name=logs-tail&instance=no-such-replica"))).isEmpty();

    Instant fourth = Instant.parse(last.get(0).get("timestamp").asText());
    assertThat(texts(get("/system/logs?name=logs-tail&since=" + fourth)))
        .containsExactly(text + "-4", text + "-5");
  }

  @Test
  void followDeliversALineWrittenAfterTheRequestStarted() throws Exception {
    deploy(Api.probe("logs-follow", "", ""));
    print("logs-follow", "before", 1);
    HttpResponse<Stream<String>> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(api.uri("/system/logs?name=logs-follow&tail=1&follow=true"))
                    .header("Authorization", basic())
                    .build(),
                HttpResponse.BodyHandlers.ofLines());
    assertThat(r.statusCode()).isEqualTo(200);
    String later = "later-" + UUID.randomUUID();
    try (Stream<String> body = r.body()) {
      CompletableFuture<Optional<String>> seen =
          CompletableFuture.supplyAsync(
              () -> body.filter(l -> l.contains("\"text\":\"" + later + "\"")).findFirst());

      print("logs-follow", later, 1);

      assertThat(seen.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isPresent();
    }
  }

  @Test
  void anOversizedLogIsRotatedNotUnbounded() throws Exception {
    deploy(Api.probe("logs-big", "", ""));
    String chunk = "x".repeat(1000);
    for (int i = 0; i < 6; i++) {
      print("logs-big", chunk, 100); // 6 x 100 KB, far above 2 x 64 KiB
    }
    String end = "end-" + UUID.randomUUID();
    print("logs-big", end, 1);

    Path dir = NODE.node().dataDir().resolve("logs/openfaas-fn/logs-big");
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.sorted().toList();
    }
    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .anyMatch(n -> n.endsWith(".log.1"));
    assertThat(files.size()).isLessThanOrEqualTo(MAX_FILES);
    int onDisk = 0;
    for (Path f : files) {
      assertThat(Files.size(f)).isLessThanOrEqualTo(MAX_FILE_SIZE);
      onDisk += Files.readAllLines(f).size();
    }
    List<String> texts = texts(get("/system/logs?name=logs-big"));
    assertThat(texts).endsWith(end).hasSize(onDisk); // the rotated file is read too
  }

  @Test
  void badParametersAreRejectedNamingTheField() throws Exception {
    deploy(Api.probe("logs-bad", "", ""));

    assertBad("/system/logs", "name");
    assertBad("/system/logs?name=logs-bad&tail=many", "tail");
    assertBad("/system/logs?name=logs-bad&since=yesterday", "since");
    assertBad("/system/logs?name=logs-bad&follow=maybe", "follow");
    assertThat(api.system("GET", "/system/logs?name=no-such-fn", null).statusCode()).isEqualTo(404);
    assertThat(api.system("GET", "/system/logs?name=logs-bad", null, null, null).statusCode())
        .isEqualTo(401);
  }

  private void assertBad(String path, String field) throws Exception {
    HttpResponse<String> r = api.system("GET", path, null);
    assertThat(r.statusCode()).as(path).isEqualTo(400);
    assertThat(r.body()).as(path).contains(field);
  }

  private void deploy(String body) throws Exception {
    HttpResponse<String> r = api.system("POST", "/system/functions", body);
    assertThat(r.statusCode()).as(r.body()).isIn(202);
  }

  /** Makes the function print {@code text} on {@code lines} lines; waits until it is logged. */
  private void print(String function, String text, int lines) throws Exception {
    HttpResponse<String> r = api.invoke("GET", Api.printPath(function, text, lines), null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    await()
        .atMost(WAIT)
        .until(() -> texts(get("/system/logs?name=" + function + "&tail=1")).contains(text));
  }

  private HttpResponse<String> get(String path) throws Exception {
    HttpResponse<String> r = api.system("GET", path, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r;
  }

  private static List<JsonNode> lines(HttpResponse<String> r) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String l : r.body().split("\n")) {
      if (!l.isEmpty()) {
        out.add(Api.JSON.readTree(l));
      }
    }
    return out;
  }

  private static List<String> texts(HttpResponse<String> r) throws IOException {
    return lines(r).stream().map(l -> l.get("text").asText()).toList();
  }

  private static String basic() {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString(
                (NodeProcess.USER + ":" + NodeProcess.PASSWORD).getBytes(StandardCharsets.UTF_8));
  }
}
