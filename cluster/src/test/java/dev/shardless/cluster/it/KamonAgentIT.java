package dev.shardless.cluster.it;

import static dev.shardless.cluster.it.MetricsIT.scrape;
import static dev.shardless.cluster.it.MetricsIT.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardless.cluster.it.MetricsIT.Sample;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node started with the Kanela agent, as {@code ./shardless run} starts it: the Kamon bundle's
 * Pekko HTTP server metrics, and with {@code SHARDLESS_KAMON_ACTOR_METRICS} the dispatchers' and
 * the sharded entities' actor metrics, appear next to the node's own, nothing else of the bundle is
 * switched on (no host metrics, no spans), and nothing the node opens listens on a wildcard address
 * (Kamon's status page stays off).
 */
class KamonAgentIT {
  @RegisterExtension
  static final RunningNode NODE =
      new RunningNode(
          Map.of("SHARDLESS_METRICS_TICK_INTERVAL", "1s", "SHARDLESS_KAMON_ACTOR_METRICS", "true"),
          true);

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
              assertThat(
                      sum(
                          s,
                          "executor_tasks_completed_total",
                          "name",
                          "pekko.actor.default-dispatcher"))
                  .as("dispatcher metrics (SHARDLESS_KAMON_ACTOR_METRICS)")
                  .isPositive();
              assertThat(s).as("JVM metrics").anyMatch(x -> x.name().startsWith("jvm_memory"));
              assertThat(s)
                  .as("no host metrics, no span metrics")
                  .noneMatch(
                      x -> x.name().startsWith("host_") || x.name().startsWith("span_processing"));
            });
  }

  @Test
  void nothingOfTheNodeListensOnAWildcardAddress() throws Exception {
    Path fds = Path.of("/proc", Long.toString(NODE.node().pid()), "fd");
    Assumptions.assumeTrue(Files.isDirectory(fds), "needs Linux /proc");
    Set<String> sockets = new HashSet<>();
    try (Stream<Path> all = Files.list(fds)) {
      for (Path fd : all.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            sockets.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException gone) {
          // closed meanwhile
        }
      }
    }
    List<String> listening = new ArrayList<>();
    for (String table : List.of("tcp", "tcp6", "udp", "udp6")) {
      List<String> lines = Files.readAllLines(Path.of("/proc/net", table));
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        boolean bound = table.startsWith("udp") || f[3].equals("0A"); // 0A: LISTEN
        if (bound && sockets.contains(f[9])) {
          listening.add(table + " " + f[1]);
        }
      }
    }
    assertThat(listening).as("gateway, metrics endpoint, cluster transport").isNotEmpty();
    assertThat(listening)
        .as("bound to 127.0.0.1 (IPv4 or IPv4-mapped), never 0.0.0.0 or ::")
        .allMatch(
            l ->
                l.split(" ")[1].startsWith("0100007F:")
                    || l.split(" ")[1].startsWith("0000000000000000FFFF00000100007F:"));
  }

  /** The sum of every series of {@code name} whose {@code label} is {@code value}. */
  private static double sum(List<Sample> samples, String name, String label, String value) {
    return samples.stream()
        .filter(s -> s.name().equals(name) && value.equals(s.labels().get(label)))
        .mapToDouble(Sample::value)
        .sum();
  }
}
