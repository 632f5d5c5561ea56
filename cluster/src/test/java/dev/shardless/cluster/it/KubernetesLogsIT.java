package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /system/logs} on Kubernetes: the function pods' container logs through the real API
 * server's {@code pods/log}, which proxies to the stand-in kubelet's log endpoint (HTTPS, the
 * Node's kubelet port) serving each pod process's output. The set-up is {@link KubeCluster}'s: one
 * node with {@code SHARDLESS_PLATFORM=kubernetes} under the manifests' service account, so the
 * {@code pods/log} RBAC rule is what lets it read.
 */
class KubernetesLogsIT {
  private static final String NS = KubeCluster.NS;
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String RFC3339_NANO =
      "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})?Z";

  private static KubeCluster k8s;
  private static KubernetesClient admin;
  private static Api gateway;

  @BeforeAll
  static void start() throws Exception {
    k8s = KubeCluster.start(Map.of("SHARDLESS_K8S_LOGS_FOLLOW_POLL_INTERVAL", "200ms"));
    admin = k8s.admin;
    gateway = k8s.gateway();
  }

  @AfterAll
  static void stop() {
    if (k8s != null) {
      k8s.close();
    }
  }

  @Test
  void theLogsAreThePodsOutputWithThePodAsInstanceOrderedByTime() throws Exception {
    deployAndAwaitPods("klogs-out", 1);
    String text = "hello-" + UUID.randomUUID();
    print("klogs-out", text, 3);
    String pod = readyPods("klogs-out").get(0);

    HttpResponse<String> r = get("/system/logs?name=klogs-out");
    assertThat(r.headers().firstValue("Content-Type")).contains("application/x-ndjson");
    List<JsonNode> mine = lines(r).stream().filter(l -> text(l).equals(text)).toList();
    assertThat(mine).hasSize(3);
    for (JsonNode l : mine) {
      assertThat(l.get("name").asText()).isEqualTo("klogs-out");
      assertThat(l.get("namespace").asText()).isEqualTo(NS);
      assertThat(l.get("instance").asText()).as("the pod is the instance").isEqualTo(pod);
      assertThat(l.get("timestamp").asText()).matches(RFC3339_NANO);
    }
    assertThat(lines(r).stream().map(l -> Instant.parse(l.get("timestamp").asText())).toList())
        .isSorted();
  }

  @Test
  void tailSinceAndInstanceSelectLines() throws Exception {
    deployAndAwaitPods("klogs-tail", 1);
    String text = "tail-" + UUID.randomUUID();
    for (int i = 1; i <= 5; i++) {
      print("klogs-tail", text + "-" + i, 1);
    }

    List<JsonNode> last = lines(get("/system/logs?name=klogs-tail&tail=2"));
    assertThat(last).extracting(KubernetesLogsIT::text).containsExactly(text + "-4", text + "-5");

    Instant fourth = Instant.parse(last.get(0).get("timestamp").asText());
    assertThat(lines(get("/system/logs?name=klogs-tail&since=" + fourth)))
        .extracting(KubernetesLogsIT::text)
        .containsExactly(text + "-4", text + "-5");

    String pod = last.get(0).get("instance").asText();
    assertThat(lines(get("/system/logs?name=klogs-tail&instance=" + pod)))
        .hasSizeGreaterThanOrEqualTo(5)
        .allMatch(l -> l.get("instance").asText().equals(pod));
    assertThat(lines(get("/system/logs?name=klogs-tail&instance=no-such-pod"))).isEmpty();
  }

  @Test
  void followStreamsNewLinesAndPicksUpAPodThatStartsMeanwhile() throws Exception {
    deployAndAwaitPods("klogs-follow", 1);
    String first = readyPods("klogs-follow").get(0);
    print("klogs-follow", "before", 1);

    List<JsonNode> seen = new CopyOnWriteArrayList<>();
    HttpResponse<Stream<String>> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        gateway.uri("/system/logs?name=klogs-follow&tail=1&follow=true"))
                    .header("Authorization", basic())
                    .build(),
                HttpResponse.BodyHandlers.ofLines());
    assertThat(r.statusCode()).isEqualTo(200);
    try (Stream<String> body = r.body()) {
      CompletableFuture<Void> reading =
          CompletableFuture.runAsync(() -> body.forEach(l -> seen.add(json(l))));

      String later = "later-" + UUID.randomUUID();
      invoke("klogs-follow", later, 1);
      await().atMost(WAIT).until(() -> texts(seen).contains(later));
      assertThat(texts(seen)).as("the history: the last line only").startsWith("before");

      HttpResponse<String> scale =
          gateway.system(
              "POST",
              "/system/scale-function/klogs-follow",
              "{\"serviceName\":\"klogs-follow\",\"namespace\":\"" + NS + "\",\"replicas\":2}");
      assertThat(scale.statusCode()).as(scale.body()).isEqualTo(202);
      await().atMost(WAIT).until(() -> readyPods("klogs-follow").size() == 2);
      String second =
          readyPods("klogs-follow").stream()
              .filter(p -> !p.equals(first))
              .findFirst()
              .orElseThrow();

      // Calls go to the least-loaded pod, ties to the first: a slow call keeps one pod busy so
      // that the print goes to the other, until the new pod's line arrives in the stream.
      await()
          .atMost(WAIT)
          .until(
              () -> {
                CompletableFuture<HttpResponse<String>> busy =
                    CompletableFuture.supplyAsync(() -> slow("klogs-follow"));
                invoke("klogs-follow", "from-" + UUID.randomUUID(), 1);
                busy.join();
                return seen.stream().anyMatch(l -> l.get("instance").asText().equals(second));
              });
      assertThat(seen)
          .extracting(l -> l.get("instance").asText())
          .contains(first, second)
          .allMatch(i -> i.equals(first) || i.equals(second));
      assertThat(reading).isNotDone();
    }
  }

  private static void deployAndAwaitPods(String name, int pods) throws Exception {
    HttpResponse<String> r = gateway.system("POST", "/system/functions", Api.probe(name, "", ""));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    await().atMost(WAIT).until(() -> readyPods(name).size() == pods);
  }

  /** The names of the function's Ready pods that are not being deleted. */
  private static List<String> readyPods(String name) {
    return admin.pods().inNamespace(NS).withLabel("faas_function", name).list().getItems().stream()
        .filter(KubernetesLogsIT::ready)
        .map(p -> p.getMetadata().getName())
        .toList();
  }

  private static boolean ready(Pod p) {
    return p.getMetadata().getDeletionTimestamp() == null
        && p.getStatus() != null
        && p.getStatus().getConditions() != null
        && p.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Makes the function print {@code text} on {@code lines} lines. */
  private static void invoke(String function, String text, int lines) throws Exception {
    HttpResponse<String> r = gateway.invoke("GET", Api.printPath(function, text, lines), null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  /** {@link #invoke}, then waits until the line is in the logs. */
  private static void print(String function, String text, int lines) throws Exception {
    invoke(function, text, lines);
    await()
        .atMost(WAIT)
        .until(() -> texts(lines(get("/system/logs?name=" + function + "&tail=1"))).contains(text));
  }

  private static HttpResponse<String> slow(String function) {
    try {
      return gateway.invoke("GET", "/function/" + function + "/sleep?ms=1000", null);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpResponse<String> get(String path) throws Exception {
    HttpResponse<String> r = gateway.system("GET", path, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r;
  }

  private static List<JsonNode> lines(HttpResponse<String> r) {
    List<JsonNode> out = new ArrayList<>();
    for (String l : r.body().split("\n")) {
      if (!l.isEmpty()) {
        out.add(json(l));
      }
    }
    return out;
  }

  private static JsonNode json(String line) {
    try {
      return Api.JSON.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String text(JsonNode line) {
    return line.get("text").asText();
  }

  private static List<String> texts(List<JsonNode> lines) {
    return lines.stream().map(KubernetesLogsIT::text).toList();
  }

  private static String basic() {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString(
                (NodeProcess.USER + ":" + NodeProcess.PASSWORD).getBytes(StandardCharsets.UTF_8));
  }
}
