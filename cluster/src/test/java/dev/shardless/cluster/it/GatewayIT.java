package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The OpenFaaS gateway API on a real node (own JVM, real sockets, real function processes): deploy,
 * list, get, update, scale, delete, and invocation in both runtime modes.
 */
class GatewayIT {
  @RegisterExtension static final RunningNode NODE = new RunningNode();

  private static void deploy(String body) throws Exception {
    HttpResponse<String> r = NODE.api().system("POST", "/system/functions", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
  }

  private static JsonNode status(String name) throws Exception {
    HttpResponse<String> r = NODE.api().system("GET", "/system/function/" + name, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Api.json(r);
  }

  @Test
  void deployListGetUpdateScaleDeleteLifecycle() throws Exception {
    deploy(Api.probe("life", "\"GREETING\":\"one\"", "\"team\":\"a\""));

    HttpResponse<String> first = NODE.api().invoke("GET", "/function/life", null);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(Api.json(first).get("greeting").asText()).isEqualTo("one");
    long firstPid = Api.json(first).get("pid").asLong();

    HttpResponse<String> list = NODE.api().system("GET", "/system/functions", null);
    assertThat(list.statusCode()).isEqualTo(200);
    JsonNode listed = null;
    for (JsonNode f : Api.json(list)) {
      if (f.get("name").asText().equals("life")) {
        listed = f;
      }
    }
    assertThat(listed).as(list.body()).isNotNull();
    assertThat(listed.get("namespace").asText()).isEqualTo("openfaas-fn");
    assertThat(listed.get("labels").get("faas_function").asText()).isEqualTo("life");
    assertThat(listed.get("labels").get("team").asText()).isEqualTo("a");
    assertThat(listed.has("annotations")).isTrue();
    assertThat(listed.has("limits")).as("empty limits are omitted").isFalse();
    assertThat(listed.get("availableReplicas").asInt()).isEqualTo(1);
    assertThat(listed.get("invocationCount").asLong()).isGreaterThanOrEqualTo(1);

    HttpResponse<String> update =
        NODE.api()
            .system("PUT", "/system/functions", Api.probe("life", "\"GREETING\":\"two\"", ""));
    assertThat(update.statusCode()).as(update.body()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              HttpResponse<String> r = NODE.api().invoke("GET", "/function/life", null);
              assertThat(r.statusCode()).isEqualTo(200);
              assertThat(Api.json(r).get("greeting").asText()).isEqualTo("two");
              assertThat(Api.json(r).get("pid").asLong()).isNotEqualTo(firstPid);
            });
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(ProcessHandle.of(firstPid)).isEmpty());

    HttpResponse<String> scale =
        NODE.api()
            .system(
                "POST",
                "/system/scale-function/life",
                "{\"serviceName\":\"life\",\"namespace\":\"openfaas-fn\",\"replicas\":2}");
    assertThat(scale.statusCode()).as(scale.body()).isIn(200, 202);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThat(status("life").get("availableReplicas").asInt()).isEqualTo(2));

    HttpResponse<String> del =
        NODE.api()
            .system(
                "DELETE",
                "/system/functions",
                "{\"functionName\":\"life\",\"namespace\":\"openfaas-fn\"}");
    assertThat(del.statusCode()).as(del.body()).isEqualTo(200);
    assertThat(NODE.api().system("GET", "/system/function/life", null).statusCode()).isEqualTo(404);
    assertThat(NODE.api().invoke("GET", "/function/life", null).statusCode()).isEqualTo(404);
    assertThat(
            NODE.api()
                .system(
                    "DELETE",
                    "/system/functions",
                    "{\"functionName\":\"life\",\"namespace\":\"openfaas-fn\"}")
                .statusCode())
        .isEqualTo(404);
  }

  @Test
  void scaleToZeroStopsReplicasAndTheNextRequestStartsOne() throws Exception {
    deploy(Api.probe("zero", "", ""));
    long pid = Api.json(NODE.api().invoke("GET", "/function/zero", null)).get("pid").asLong();
    HttpResponse<String> scale =
        NODE.api()
            .system(
                "POST", "/system/scale-function/zero", "{\"serviceName\":\"zero\",\"replicas\":0}");
    assertThat(scale.statusCode()).as(scale.body()).isIn(200, 202);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(status("zero").get("availableReplicas").asInt()).isZero());
    await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(pid).isEmpty());

    HttpResponse<String> cold = NODE.api().invoke("POST", "/function/zero", "wake up");
    assertThat(cold.statusCode()).as(cold.body()).isEqualTo(200);
    assertThat(Api.json(cold).get("body").asText()).isEqualTo("wake up");
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
  void httpModeForwardsEveryMethodWithPathQueryHeadersAndBody(String method) throws Exception {
    ensureDeployed("methods", Api.probe("methods", "", ""));
    HttpResponse<String> r =
        NODE.api()
            .send(
                HttpRequest.newBuilder(NODE.api().uri("/function/methods/a/b%20c?x=1&y=two"))
                    .method(method, HttpRequest.BodyPublishers.ofString("payload-" + method))
                    .header("X-Custom", "kept")
                    .header("X-Call-Id", "call-" + method)
                    .build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode echo = Api.json(r);
    assertThat(echo.get("method").asText()).isEqualTo(method);
    assertThat(echo.get("path").asText()).isEqualTo("/a/b%20c");
    assertThat(echo.get("query").asText()).isEqualTo("x=1&y=two");
    assertThat(echo.get("body").asText()).isEqualTo("payload-" + method);
    assertThat(echo.get("headers").get("x-custom").asText()).isEqualTo("kept");
    assertThat(echo.get("headers").get("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
    assertThat(echo.get("headers").get("x-forwarded-host").asText())
        .isEqualTo("127.0.0.1:" + NODE.node().port());
    assertThat(echo.get("headers").get("x-call-id").asText()).isEqualTo("call-" + method);
    assertThat(r.headers().firstValue("X-Call-Id")).contains("call-" + method);
    assertThat(r.headers().firstValue("X-Start-Time"))
        .hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
    assertThat(r.headers().firstValue("X-Duration-Seconds"))
        .hasValueSatisfying(v -> assertThat(Double.parseDouble(v)).isPositive());
  }

  @Test
  void callIdIsGeneratedWhenTheCallerSendsNone() throws Exception {
    ensureDeployed("methods", Api.probe("methods", "", ""));
    HttpResponse<String> r = NODE.api().invoke("GET", "/function/methods.openfaas-fn", null);
    assertThat(r.statusCode()).isEqualTo(200);
    String id = r.headers().firstValue("X-Call-Id").orElseThrow();
    assertThat(id).matches("[0-9a-f-]{36}");
    assertThat(Api.json(r).get("headers").get("x-call-id").asText()).isEqualTo(id);
  }

  @Test
  void classicModeForksPerRequestWithCgiEnvironment() throws Exception {
    ensureDeployed("classic", Api.classic("classic", ""));
    HttpResponse<String> r =
        NODE.api()
            .send(
                HttpRequest.newBuilder(NODE.api().uri("/function/classic/some/where?k=v"))
                    .POST(HttpRequest.BodyPublishers.ofString("hello classic"))
                    .header("X-Custom", "abc")
                    .build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body())
        .contains("method=POST")
        .contains("path=/some/where")
        .contains("query=k=v")
        .contains("custom=abc")
        .contains("body=hello classic");

    HttpResponse<String> failed = NODE.api().invoke("GET", "/function/classic/fail", null);
    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(failed.body()).contains("failing on purpose");
  }

  @Test
  void oneReplicaWithMaxInflightOneServesHundredConcurrentRequestsOneAtATime() throws Exception {
    deploy(
        Api.probe(
            "serial",
            "\"max_inflight\":\"1\"",
            "\"com.openfaas.scale.max\":\"1\",\"com.openfaas.scale.min\":\"1\""));
    ExecutorService pool = Executors.newFixedThreadPool(100);
    try {
      List<Future<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        calls.add(
            pool.submit(() -> NODE.api().invoke("GET", "/function/serial/sleep?ms=20", null)));
      }
      for (Future<HttpResponse<String>> call : calls) {
        HttpResponse<String> r = call.get();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      }
    } finally {
      pool.shutdownNow();
    }
    HttpResponse<String> stats = NODE.api().invoke("GET", "/function/serial/stats", null);
    assertThat(Api.json(stats).get("highest").asInt()).isEqualTo(1);
    assertThat(status("serial").get("invocationCount").asLong()).isGreaterThanOrEqualTo(100);
  }

  @Test
  void largeBodiesAreStreamedThrough() throws Exception {
    ensureDeployed("counter", Api.probe("counter", "", ""));
    int size = 24 * 1024 * 1024;
    HttpResponse<String> r =
        NODE.api()
            .send(
                HttpRequest.newBuilder(NODE.api().uri("/function/counter/count"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[size]))
                    .build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(Api.json(r).get("bytes").asInt()).isEqualTo(size);
  }

  @Test
  void replicaCrashingMidRequestGives502AndIsReplaced() throws Exception {
    deploy(Api.probe("crashy", "", ""));
    assertThat(NODE.api().invoke("GET", "/function/crashy", null).statusCode()).isEqualTo(200);
    HttpResponse<String> crash = NODE.api().invoke("GET", "/function/crashy/crash", null);
    assertThat(crash.statusCode()).isEqualTo(502);
    assertThat(crash.body()).contains("crashy").doesNotContain("Exception\n\tat ");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(NODE.api().invoke("GET", "/function/crashy", null).statusCode())
                    .isEqualTo(200));
  }

  @Test
  void functionTimeoutGives504() throws Exception {
    deploy(Api.probe("slow", "\"exec_timeout\":\"1s\"", ""));
    HttpResponse<String> r = NODE.api().invoke("GET", "/function/slow/sleep?ms=5000", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
    assertThat(r.body()).contains("slow");
  }

  @Test
  void unknownFunctionIs404() throws Exception {
    assertThat(NODE.api().invoke("GET", "/function/nope", null).statusCode()).isEqualTo(404);
    assertThat(NODE.api().invoke("GET", "/function/Not_A_Name", null).statusCode()).isEqualTo(404);
    assertThat(NODE.api().invoke("POST", "/function/nope.openfaas-fn/x", "b").statusCode())
        .isEqualTo(404);
    assertThat(NODE.api().system("GET", "/system/function/nope", null).statusCode()).isEqualTo(404);
    HttpResponse<String> update =
        NODE.api().system("PUT", "/system/functions", Api.probe("nope", "", ""));
    assertThat(update.statusCode()).isEqualTo(404);
  }

  @Test
  void systemInfoNamespacesAndHealth() throws Exception {
    assertThat(NODE.api().invoke("GET", "/healthz", null).statusCode()).isEqualTo(200);
    JsonNode info = Api.json(NODE.api().system("GET", "/system/info", null));
    assertThat(info.get("provider").get("provider").asText()).isEqualTo("shardless");
    assertThat(info.get("provider").get("orchestration").asText()).isNotEmpty();
    assertThat(info.get("version").get("release").asText()).isNotEmpty();
    assertThat(info.get("arch").asText()).isNotEmpty();
    assertThat(Api.json(NODE.api().system("GET", "/system/namespaces", null)).get(0).asText())
        .isEqualTo("openfaas-fn");
  }

  @Test
  void deployingAnExistingFunctionIsAConflict() throws Exception {
    ensureDeployed("twice", Api.probe("twice", "", ""));
    HttpResponse<String> again =
        NODE.api().system("POST", "/system/functions", Api.probe("twice", "", ""));
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(again.body()).contains("PUT");
  }

  @Test
  void concurrentCallsAcrossFunctionsAllSucceed() throws Exception {
    ensureDeployed("methods", Api.probe("methods", "", ""));
    ensureDeployed("classic", Api.classic("classic", ""));
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    for (int i = 0; i < 50; i++) {
      String fn = i % 2 == 0 ? "methods" : "classic";
      calls.add(
          client.sendAsync(
              HttpRequest.newBuilder(NODE.api().uri("/function/" + fn + "/?i=" + i)).build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> c : calls) {
      assertThat(c.get().statusCode()).as(c.get().body()).isEqualTo(200);
    }
  }

  private static void ensureDeployed(String name, String body) throws Exception {
    HttpResponse<String> r = NODE.api().system("POST", "/system/functions", body);
    assertThat(r.statusCode()).as(r.body()).isIn(202, 409);
  }
}
