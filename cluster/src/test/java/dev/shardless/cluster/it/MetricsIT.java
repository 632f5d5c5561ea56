package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Prometheus endpoint of a real node: after real invocations through the gateway, a scrape of
 * {@code /metrics} shows the OpenFaaS gateway metrics, the scheduler's and the async queues' with
 * the right counts, and the endpoint listens on 127.0.0.1 only.
 */
class MetricsIT {
  @RegisterExtension
  static final RunningNode NODE =
      new RunningNode(
          Map.of(
              "SHARDLESS_METRICS_TICK_INTERVAL",
              "1s",
              // Quick callback retries, so that a callback to nowhere is given up soon.
              "JAVA_TOOL_OPTIONS",
              "-Dshardless.async.callback.initial-delay=50ms"
                  + " -Dshardless.async.callback.max-delay=100ms"));

  private static final Pattern METRICS_URL =
      Pattern.compile("metrics: http://([0-9.]+):(\\d+)/metrics");
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)$");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final HttpClient client = HttpClient.newHttpClient();

  @Test
  void countsSuccessfulAndFailingCallsWithOpenFaasNamesAndLabels() throws Exception {
    deploy("metered", "");
    int ok = 5;
    int failed = 3;
    for (int i = 0; i < ok; i++) {
      HttpResponse<String> r = NODE.api().invoke("GET", "/function/metered", null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    for (int i = 0; i < failed; i++) {
      HttpResponse<String> r = NODE.api().invoke("GET", "/function/metered/status?code=500", null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(500);
    }
    assertThat(NODE.api().invoke("GET", "/function/nosuch", null).statusCode()).isEqualTo(404);

    Map<String, String> fn = Map.of("function_name", "metered.openfaas-fn");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              List<Sample> s = scrape();
              assertThat(value(s, "gateway_function_invocation_total", fn, "code", "200"))
                  .hasValue((double) ok);
              assertThat(value(s, "gateway_function_invocation_total", fn, "code", "500"))
                  .hasValue((double) failed);
              double counted =
                  value(s, "gateway_functions_seconds_count", fn, "code", "200").orElse(0.0)
                      + value(s, "gateway_functions_seconds_count", fn, "code", "500").orElse(0.0);
              assertThat(counted).isEqualTo(ok + failed);
              assertThat(value(s, "gateway_functions_seconds_sum", fn, "code", "200"))
                  .hasValueSatisfying(v -> assertThat(v).isPositive());
              assertThat(value(s, "gateway_function_invocation_started", fn))
                  .hasValue((double) (ok + failed));
              assertThat(value(s, "gateway_function_invocation_inflight", fn)).hasValue(0.0);
              assertThat(value(s, "gateway_service_count", fn)).as("ready replicas").hasValue(1.0);
              assertThat(value(s, "shardless_function_replicas_desired", fn)).hasValue(1.0);
              assertThat(value(s, "shardless_function_buffered_requests", fn)).hasValue(0.0);
              assertThat(s)
                  .as("an unknown function makes no series")
                  .noneMatch(x -> "nosuch.openfaas-fn".equals(x.labels().get("function_name")));
            });
  }

  @Test
  void serviceCountFollowsReadyReplicasAndDropsToZeroWhenTheFunctionIsDeleted() throws Exception {
    deploy("fleeting", "");
    assertThat(NODE.api().invoke("GET", "/function/fleeting", null).statusCode()).isEqualTo(200);
    Map<String, String> fn = Map.of("function_name", "fleeting.openfaas-fn");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThat(value(scrape(), "gateway_service_count", fn)).hasValue(1.0));

    HttpResponse<String> deleted =
        NODE.api()
            .system(
                "DELETE",
                "/system/functions",
                "{\"functionName\":\"fleeting\",\"namespace\":\"openfaas-fn\"}");
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              List<Sample> s = scrape();
              assertThat(value(s, "gateway_service_count", fn)).hasValue(0.0);
              assertThat(value(s, "gateway_function_invocation_total", fn, "code", "200"))
                  .as("counters stay, cumulative")
                  .hasValue(1.0);
            });
  }

  @Test
  void targetLoadComesFromTheScalingLabels() throws Exception {
    deploy(
        "targeted", "\"com.openfaas.scale.target\":\"7\",\"com.openfaas.scale.type\":\"capacity\"");
    assertThat(NODE.api().invoke("GET", "/function/targeted", null).statusCode()).isEqualTo(200);
    Map<String, String> fn = Map.of("function_name", "targeted.openfaas-fn");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        value(
                            scrape(),
                            "gateway_service_target_load",
                            fn,
                            "scaling_type",
                            "capacity"))
                    .hasValue(7.0));
  }

  @Test
  void aScaleFromZeroIsOneColdStartAndOneBurstDecision() throws Exception {
    deploy("sleepy", "\"com.openfaas.scale.min\":\"0\"");
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = NODE.api().invoke("GET", "/function/sleepy", null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    Map<String, String> fn = Map.of("function_name", "sleepy.openfaas-fn");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              List<Sample> s = scrape();
              assertThat(value(s, "shardless_cold_starts_total", fn)).hasValue(1.0);
              assertThat(value(s, "shardless_cold_start_seconds_count", fn)).hasValue(1.0);
              assertThat(value(s, "shardless_cold_start_seconds_sum", fn))
                  .hasValueSatisfying(v -> assertThat(v).isPositive());
              assertThat(
                      value(
                          s,
                          "shardless_scale_decisions_total",
                          fn,
                          "reason",
                          "burst_from_zero",
                          "changed",
                          "true"))
                  .hasValue(1.0);
              assertThat(value(s, "shardless_function_replicas_ready", fn)).hasValue(1.0);
            });
  }

  @Test
  void aFailingAsyncJobCountsItsRetryDeadLetterAndLostCallbackAndTheQueueDrains() throws Exception {
    deploy(
        "doomed",
        "\"com.openfaas.retry.attempts\":\"2\",\"com.openfaas.retry.min_wait\":\"50ms\","
            + "\"com.openfaas.retry.max_wait\":\"100ms\"");
    HttpResponse<String> accepted =
        NODE.api()
            .async("doomed/status?code=500", "x", "X-Callback-Url", "http://127.0.0.1:1/nowhere");
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    Map<String, String> fn = Map.of("function_name", "doomed.openfaas-fn");
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              List<Sample> s = scrape();
              assertThat(value(s, "shardless_async_retries_total", fn)).hasValue(1.0);
              assertThat(value(s, "shardless_async_dead_letters_total", fn)).hasValue(1.0);
              assertThat(value(s, "shardless_async_callback_failures_total", fn)).hasValue(1.0);
              assertThat(value(s, "shardless_async_queue_depth", fn)).hasValue(0.0);
              assertThat(value(s, "shardless_async_oldest_job_age_seconds", fn)).hasValue(0.0);
            });
  }

  @Test
  void aBacklogShowsAsDepthAndAgeOfItsOldestJob() throws Exception {
    deploy("backlogged", "\"shardless.async.max-concurrency\":\"1\"");
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> accepted = NODE.api().async("backlogged/sleep?ms=3000", "x");
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    }
    Map<String, String> fn = Map.of("function_name", "backlogged.openfaas-fn");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              List<Sample> s = scrape();
              assertThat(value(s, "shardless_async_queue_depth", fn))
                  .hasValueSatisfying(v -> assertThat(v).isPositive());
              assertThat(value(s, "shardless_async_oldest_job_age_seconds", fn))
                  .hasValueSatisfying(v -> assertThat(v).isPositive());
            });
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> assertThat(value(scrape(), "shardless_async_queue_depth", fn)).hasValue(0.0));
  }

  @Test
  void metricsEndpointListensOnLoopbackOnly() throws Exception {
    Matcher m = METRICS_URL.matcher(NODE.node().output());
    assertThat(m.find()).as(NODE.node().output()).isTrue();
    assertThat(m.group(1)).isEqualTo("127.0.0.1");
    int port = Integer.parseInt(m.group(2));
    assertThat(port).isNotEqualTo(9095).isPositive();
    for (InetAddress other : nonLoopbackAddresses()) {
      assertThatThrownBy(
              () -> {
                try (Socket s = new Socket()) {
                  s.connect(new InetSocketAddress(other, port), 2000);
                }
              })
          .as("metrics port reachable on %s", other)
          .isInstanceOf(IOException.class);
    }
    HttpResponse<String> other =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(other.statusCode()).isEqualTo(404);
  }

  private static void deploy(String name, String labelsJson) throws Exception {
    HttpResponse<String> deployed =
        NODE.api().system("POST", "/system/functions", Api.probe(name, "", labelsJson));
    assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(202);
  }

  record Sample(String name, Map<String, String> labels, double value) {}

  private List<Sample> scrape() throws Exception {
    return scrape(NODE, client);
  }

  /** The samples {@code node}'s metrics endpoint serves now. */
  static List<Sample> scrape(RunningNode node, HttpClient client) throws Exception {
    return scrape(node.node(), client);
  }

  /** The samples {@code node}'s metrics endpoint serves now. */
  static List<Sample> scrape(NodeProcess node, HttpClient client) throws Exception {
    Matcher m = METRICS_URL.matcher(node.output());
    assertThat(m.find()).isTrue();
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://" + m.group(1) + ":" + m.group(2) + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    List<Sample> out = new ArrayList<>();
    for (String line : r.body().split("\n")) {
      Matcher s = SAMPLE.matcher(line.trim());
      if (line.startsWith("#") || !s.matches()) {
        continue;
      }
      Map<String, String> labels = new HashMap<>();
      if (s.group(2) != null) {
        Matcher l = LABEL.matcher(s.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      out.add(new Sample(s.group(1), labels, Double.parseDouble(s.group(3))));
    }
    return out;
  }

  /** The value of the series with exactly these labels (plus one more name/value pair). */
  static Optional<Double> value(
      List<Sample> samples, String name, Map<String, String> labels, String... more) {
    Map<String, String> want = new HashMap<>(labels);
    for (int i = 0; i + 1 < more.length; i += 2) {
      want.put(more[i], more[i + 1]);
    }
    return samples.stream()
        .filter(s -> s.name().equals(name) && s.labels().equals(want))
        .map(Sample::value)
        .findFirst();
  }

  private static List<InetAddress> nonLoopbackAddresses() throws IOException {
    List<InetAddress> out = new ArrayList<>();
    for (NetworkInterface ni : NetworkInterface.networkInterfaces().toList()) {
      if (ni.isUp() && !ni.isLoopback()) {
        ni.inetAddresses()
            .filter(a -> a.getAddress().length == 4 && !a.isLinkLocalAddress())
            .forEach(out::add);
      }
    }
    return out;
  }
}
