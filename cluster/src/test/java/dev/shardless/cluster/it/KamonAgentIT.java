package dev.shardless.cluster.it;

import static dev.shardless.cluster.it.MetricsIT.scrape;
import static dev.shardless.cluster.it.MetricsIT.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardless.cluster.it.MetricsIT.Sample;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node started with the Kanela agent, as {@code ./shardless run} starts it: the Kamon bundle's
 * Pekko HTTP server metrics and the actor metrics of Shardless's sharded entities appear next to
 * the node's own, and nothing else of the bundle is switched on (no host metrics, no spans).
 */
class KamonAgentIT {
  @RegisterExtension
  static final RunningNode NODE =
      new RunningNode(Map.of("SHARDLESS_METRICS_TICK_INTERVAL", "1s"), true);

  private final HttpClient client = HttpClient.newHttpClient();

  @Test
  void pekkoHttpAndActorGroupMetricsAppearAfterRealCalls() throws Exception {
    assertThat(NODE.node().output()).contains("Kanela");
    HttpResponse<String> deployed =
        NODE.api().system("POST", "/system/functions", Api.probe("agented", "", ""));
    assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(202);
    int calls = 4;
    for (int i = 0; i < calls; i++) {
      HttpResponse<String> r = NODE.api().invoke("GET", "/function/agented", null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.headers().map().keySet())
          .as("no trace headers reach the caller")
          .noneMatch(h -> h.equalsIgnoreCase("context-tags") || h.startsWith("x-b3"));
    }
    Map<String, String> fn = Map.of("function_name", "agented.openfaas-fn");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              List<Sample> s = scrape(NODE, client);
              assertThat(value(s, "gateway_function_invocation_total", fn, "code", "200"))
                  .hasValue((double) calls);
              assertThat(sum(s, "http_server_requests_total", "http_status_code", "2xx"))
                  .as("Pekko HTTP server requests (gateway and this endpoint)")
                  .isGreaterThanOrEqualTo(calls);
              assertThat(
                      sum(
                          s,
                          "pekko_group_processing_time_seconds_count",
                          "group",
                          "shardRegion/function"))
                  .as("messages processed by the function entities")
                  .isGreaterThanOrEqualTo(calls);
              assertThat(s).as("JVM metrics").anyMatch(x -> x.name().startsWith("jvm_memory"));
              assertThat(s)
                  .as("no host metrics, no span metrics")
                  .noneMatch(
                      x -> x.name().startsWith("host_") || x.name().startsWith("span_processing"));
            });
  }

  /** The sum of every series of {@code name} whose {@code label} is {@code value}. */
  private static double sum(List<Sample> samples, String name, String label, String value) {
    return samples.stream()
        .filter(s -> s.name().equals(name) && value.equals(s.labels().get(label)))
        .mapToDouble(Sample::value)
        .sum();
  }
}
