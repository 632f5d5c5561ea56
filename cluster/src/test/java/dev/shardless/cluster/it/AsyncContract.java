package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Durable async invocations on a real node, real function processes and a real callback receiver
 * (docs/api.md, "Async"). Subclasses choose the journal backend.
 */
abstract class AsyncContract {
  static final Duration LONG = Duration.ofSeconds(90);
  static CallbackReceiver callbacks;

  /** The node under test. */
  abstract RunningNode node();

  @BeforeAll
  static void startReceiver() throws Exception {
    callbacks = new CallbackReceiver();
  }

  @AfterAll
  static void stopReceiver() {
    callbacks.close();
  }

  private Api api() {
    return node().api();
  }

  private void deploy(String name, String labelsJson) throws Exception {
    HttpResponse<String> r =
        api().system("POST", "/system/functions", Api.probe(name, "", labelsJson));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
  }

  private String accepted(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    String id = r.headers().firstValue("X-Call-Id").orElseThrow();
    assertThat(id).isNotBlank();
    return id;
  }

  private JsonNode call(String function, String callId) throws Exception {
    HttpResponse<String> r =
        api().system("GET", "/system/async/" + function + "/calls/" + callId, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Api.json(r);
  }

  private List<CallbackReceiver.Delivery> deliveriesTo(String path) {
    return callbacks.received().stream().filter(d -> d.path().equals(path)).toList();
  }

  @Test
  void twoHundredJobsCallBackOnceEachWithTheFunctionsAnswer() throws Exception {
    deploy("async-many", "");
    String hook = "/many";
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<HttpResponse<String>>> posts = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String body = "job-" + i;
      posts.add(
          pool.submit(
              () ->
                  api()
                      .async(
                          "async-many/echo/sub?n=" + body,
                          body,
                          "X-Callback-Url",
                          callbacks.url(hook),
                          "X-Team",
                          "blue",
                          "Content-Type",
                          "text/plain")));
    }
    Set<String> ids = new HashSet<>();
    for (Future<HttpResponse<String>> f : posts) {
      ids.add(accepted(f.get()));
    }
    pool.shutdown();
    assertThat(ids).hasSize(200);

    await().atMost(LONG).until(() -> deliveriesTo(hook).size() >= 200);
    List<CallbackReceiver.Delivery> got = deliveriesTo(hook);
    assertThat(got).hasSize(200);
    Set<String> calledBack = new HashSet<>();
    for (CallbackReceiver.Delivery d : got) {
      assertThat(calledBack.add(d.callId())).as("each call id once: " + d.callId()).isTrue();
      assertThat(d.header("X-Function-Status")).isEqualTo("200");
      assertThat(d.header("X-Function-Name")).isEqualTo("async-many.openfaas-fn");
      assertThat(d.header("X-Duration-Seconds")).matches("\\d+\\.\\d{6}");
      assertThat(d.header("Content-Type")).startsWith("application/json");
      JsonNode echoed = Api.JSON.readTree(d.body());
      String n = echoed.get("query").asText().replace("n=", "");
      assertThat(echoed.get("method").asText()).isEqualTo("POST");
      assertThat(echoed.get("path").asText()).isEqualTo("/echo/sub");
      assertThat(echoed.get("body").asText()).isEqualTo(n);
      assertThat(echoed.get("headers").get("x-team").asText()).isEqualTo("blue");
      assertThat(echoed.get("headers").get("content-type").asText()).startsWith("text/plain");
      assertThat(echoed.get("headers").get("x-call-id").asText()).isEqualTo(d.callId());
      assertThat(echoed.get("headers").has("x-callback-url")).isFalse();
    }
    assertThat(calledBack).isEqualTo(ids);
    String one = ids.iterator().next();
    JsonNode job = call("async-many", one);
    assertThat(job.get("state").asText()).isEqualTo("succeeded");
    assertThat(job.get("attempts").asInt()).isEqualTo(1);
    assertThat(job.get("result").get("status").asInt()).isEqualTo(200);
    assertThat(job.get("callback").get("state").asText()).isEqualTo("delivered");
  }

  @Test
  void anAsyncBacklogScalesTheFunctionUpAndShareItsConcurrencyLimit() throws Exception {
    HttpResponse<String> r =
        api()
            .system(
                "POST",
                "/system/functions",
                Api.probe(
                    "async-scale",
                    "\"max_inflight\":\"1\"",
                    "\"com.openfaas.scale.min\":\"1\",\"com.openfaas.scale.max\":\"4\","
                        + "\"com.openfaas.scale.target\":\"1\","
                        + "\"com.openfaas.scale.type\":\"capacity\","
                        + "\"shardless.async.max-concurrency\":\"4\""));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    String hook = "/scale";
    try (ReplicaWatch watch = new ReplicaWatch(api(), "async-scale")) {
      for (int i = 0; i < 24; i++) {
        accepted(
            api().async("async-scale/sleep?ms=500", "", "X-Callback-Url", callbacks.url(hook)));
      }
      await().atMost(LONG).until(() -> deliveriesTo(hook).size() >= 24);
      assertThat(watch.maxDesired()).as("the backlog asked for more replicas").isGreaterThan(1);
      assertThat(watch.maxDesired()).as("bounded by max").isLessThanOrEqualTo(4);
    }
    assertThat(deliveriesTo(hook))
        .allSatisfy(d -> assertThat(d.header("X-Function-Status")).isEqualTo("200"));
  }

  @Test
  void aCallersCallIdMakesTheRequestIdempotent() throws Exception {
    deploy("async-idem", "");
    String id = "idem-" + UUID.randomUUID();
    String hook = "/idem";
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r =
          api().async("async-idem", "x", "X-Call-Id", id, "X-Callback-Url", callbacks.url(hook));
      assertThat(accepted(r)).isEqualTo(id);
    }
    await().atMost(LONG).until(() -> deliveriesTo(hook).size() >= 1);
    await()
        .atMost(LONG)
        .untilAsserted(
            () -> assertThat(call("async-idem", id).get("state").asText()).isEqualTo("succeeded"));
    assertThat(call("async-idem", id).get("attempts").asInt()).isEqualTo(1);
    assertThat(deliveriesTo(hook)).hasSize(1);
  }

  @Test
  void aFunctionThatFailsTwiceSucceedsOnTheThirdAttemptWithOneCallback() throws Exception {
    deploy(
        "async-flaky",
        "\"com.openfaas.retry.attempts\":\"5\",\"com.openfaas.retry.min_wait\":\"50ms\","
            + "\"com.openfaas.retry.max_wait\":\"200ms\"");
    String hook = "/flaky";
    String id =
        accepted(
            api().async("async-flaky/flaky?fail=2", "x", "X-Callback-Url", callbacks.url(hook)));
    await().atMost(LONG).until(() -> deliveriesTo(hook).size() >= 1);
    JsonNode job = call("async-flaky", id);
    assertThat(job.get("state").asText()).isEqualTo("succeeded");
    assertThat(job.get("attempts").asInt()).isEqualTo(3);
    List<CallbackReceiver.Delivery> got = deliveriesTo(hook);
    assertThat(got).hasSize(1);
    assertThat(got.get(0).header("X-Function-Status")).isEqualTo("200");
    assertThat(got.get(0).callId()).isEqualTo(id);
    assertThat(Api.JSON.readTree(got.get(0).body()).get("headers").get("x-call-id").asText())
        .as("a retried job keeps its X-Call-Id")
        .isEqualTo(id);
  }

  @Test
  void aFunctionThatAlwaysFailsIsDeadLetteredVisibleAndRedrivable() throws Exception {
    deploy(
        "async-dead",
        "\"com.openfaas.retry.attempts\":\"3\",\"com.openfaas.retry.min_wait\":\"50ms\","
            + "\"com.openfaas.retry.max_wait\":\"100ms\"");
    String hook = "/dead";
    // Fails its first 3 calls (the whole budget), succeeds from the 4th: after a redrive.
    String id =
        accepted(
            api().async("async-dead/flaky?fail=3", "x", "X-Callback-Url", callbacks.url(hook)));
    await()
        .atMost(LONG)
        .untilAsserted(
            () ->
                assertThat(call("async-dead", id).get("state").asText())
                    .isEqualTo("dead-lettered"));
    JsonNode job = call("async-dead", id);
    assertThat(job.get("attempts").asInt()).isEqualTo(3);
    assertThat(job.get("lastStatus").asInt()).isEqualTo(500);

    HttpResponse<String> letters =
        api().system("GET", "/system/async/async-dead/dead-letters", null);
    assertThat(letters.statusCode()).as(letters.body()).isEqualTo(200);
    JsonNode listed = Api.json(letters);
    assertThat(listed.get("total").asInt()).isEqualTo(1);
    assertThat(listed.get("jobs").get(0).get("callId").asText()).isEqualTo(id);

    HttpResponse<String> redrive =
        api().system("POST", "/system/async/async-dead/dead-letters/redrive", "");
    assertThat(redrive.statusCode()).as(redrive.body()).isEqualTo(200);
    assertThat(Api.json(redrive).get("redriven").get(0).asText()).isEqualTo(id);
    await()
        .atMost(LONG)
        .untilAsserted(
            () -> assertThat(call("async-dead", id).get("state").asText()).isEqualTo("succeeded"));
    assertThat(
            Api.json(api().system("GET", "/system/async/async-dead/dead-letters", null))
                .get("total")
                .asInt())
        .isZero();
    await()
        .atMost(LONG)
        .untilAsserted(
            () ->
                assertThat(deliveriesTo(hook))
                    .extracting(d -> d.header("X-Function-Status"))
                    .contains("200"));
  }

  @Test
  void aQueuedJobCanBeCancelledAndNeverRuns() throws Exception {
    deploy("async-cancel", "\"shardless.async.max-concurrency\":\"1\"");
    String slow = accepted(api().async("async-cancel/sleep?ms=3000", ""));
    String queued = accepted(api().async("async-cancel/echo", "never"));
    HttpResponse<String> cancel =
        api().system("DELETE", "/system/async/async-cancel/calls/" + queued, null);
    assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
    assertThat(Api.json(cancel).get("state").asText()).isEqualTo("cancelled");
    await()
        .atMost(LONG)
        .untilAsserted(
            () ->
                assertThat(call("async-cancel", slow).get("state").asText())
                    .isEqualTo("succeeded"));
    assertThat(call("async-cancel", queued).get("state").asText()).isEqualTo("cancelled");
    assertThat(call("async-cancel", queued).get("attempts").asInt()).isZero();
    HttpResponse<String> again =
        api().system("DELETE", "/system/async/async-cancel/calls/" + slow, null);
    assertThat(again.statusCode()).as("a finished job cannot be cancelled").isEqualTo(409);
  }

  @Test
  void badAsyncRequestsAreRefusedWithAMessageAndNothingIsQueued() throws Exception {
    deploy("async-bad", "");
    HttpResponse<String> unknown = api().async("no-such-function", "x");
    assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
    assertThat(unknown.body()).contains("no-such-function");

    HttpResponse<String> big = api().async("async-bad", "x".repeat(1024 * 1024 + 1));
    assertThat(big.statusCode()).as(big.body()).isEqualTo(413);
    assertThat(big.body()).contains("shardless.async.max-body");

    HttpResponse<String> badHook = api().async("async-bad", "x", "X-Callback-Url", "ftp://x/y");
    assertThat(badHook.statusCode()).isEqualTo(400);
    assertThat(badHook.body()).contains("X-Callback-Url");

    HttpResponse<String> badId = api().async("async-bad", "x", "X-Call-Id", "a".repeat(200));
    assertThat(badId.statusCode()).isEqualTo(400);
    assertThat(badId.body()).contains("X-Call-Id");

    HttpResponse<String> unknownCall =
        api().system("GET", "/system/async/async-bad/calls/nope", null);
    assertThat(unknownCall.statusCode()).isEqualTo(404);
    HttpResponse<String> noFunction =
        api().system("GET", "/system/async/nobody/dead-letters", null);
    assertThat(noFunction.statusCode()).isEqualTo(404);
    HttpResponse<String> badLimit =
        api().system("GET", "/system/async/async-bad/dead-letters?limit=0", null);
    assertThat(badLimit.statusCode()).isEqualTo(400);
    assertThat(badLimit.body()).contains("limit");
    HttpResponse<String> noAuth = api().system("GET", "/system/async/async-bad", null, null, null);
    assertThat(noAuth.statusCode()).isEqualTo(401);
    for (String body : new String[] {"{", "{\"callIds\":3}", "{\"callIds\":[1]}"}) {
      HttpResponse<String> r =
          api().system("POST", "/system/async/async-bad/dead-letters/redrive", body);
      assertThat(r.statusCode()).as(body + " -> " + r.body()).isEqualTo(400);
      assertThat(r.body()).doesNotContain("Exception");
    }
    JsonNode status = Api.json(api().system("GET", "/system/async/async-bad", null));
    assertThat(status.get("accepted").asLong()).as("nothing was queued").isZero();
  }

  @Test
  void aDeletedFunctionRefusesNewJobsWith404() throws Exception {
    deploy("async-gone", "");
    accepted(api().async("async-gone", "x"));
    HttpResponse<String> del =
        api()
            .system(
                "DELETE",
                "/system/functions",
                "{\"functionName\":\"async-gone\",\"namespace\":\"openfaas-fn\"}");
    assertThat(del.statusCode()).isEqualTo(200);
    await()
        .atMost(LONG)
        .untilAsserted(
            () -> assertThat(api().async("async-gone", "x").statusCode()).isEqualTo(404));
    deploy("async-gone", "");
    await()
        .atMost(LONG)
        .untilAsserted(
            () -> assertThat(api().async("async-gone", "x").statusCode()).isEqualTo(202));
  }

  @Test
  void callbackDeliveryIsRetriedAndItsFateRecorded() throws Exception {
    deploy("async-hook", "");
    String hook = "/retried-hook";
    callbacks.refuseNext(2, 503);
    String id = accepted(api().async("async-hook", "x", "X-Callback-Url", callbacks.url(hook)));
    await().atMost(LONG).until(() -> deliveriesTo(hook).size() >= 1);
    assertThat(callbacks.refused()).isGreaterThanOrEqualTo(2);
    await()
        .atMost(LONG)
        .untilAsserted(
            () -> {
              JsonNode cb = call("async-hook", id).get("callback");
              assertThat(cb.get("state").asText()).isEqualTo("delivered");
              assertThat(cb.get("attempts").asInt()).isEqualTo(3);
            });

    String unreachable = "http://127.0.0.1:1/nowhere";
    String lost = accepted(api().async("async-hook", "x", "X-Callback-Url", unreachable));
    await()
        .atMost(LONG)
        .untilAsserted(
            () -> {
              JsonNode cb = call("async-hook", lost).get("callback");
              assertThat(cb.get("state").asText()).isEqualTo("failed");
              assertThat(cb.get("lastError").asText()).isNotBlank();
            });
    JsonNode status = Api.json(api().system("GET", "/system/async/async-hook", null));
    assertThat(status.get("callbackFailures").asLong()).isEqualTo(1);
  }

  /**
   * The node's environment for these tests: {@code backend} plus quick callback retries (through
   * system properties, which override every other setting).
   */
  static Map<String, String> env(Map<String, String> backend) {
    Map<String, String> env = new java.util.HashMap<>(backend);
    env.put(
        "JAVA_TOOL_OPTIONS",
        "-Dshardless.async.callback.initial-delay=100ms"
            + " -Dshardless.async.callback.max-delay=500ms");
    return env;
  }
}
