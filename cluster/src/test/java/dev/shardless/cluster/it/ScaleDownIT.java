package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scale-down under steady load loses no call: the replicas chosen to go are drained (no new leases,
 * stopped when their calls are done). The node runs short autoscaler windows (tick 1s, stable 10s,
 * panic 2s, down-window 10s) so that the autoscaler scales down within the test.
 */
class ScaleDownIT {
  private static final String SLEEP = "/sleep?ms=200";

  @RegisterExtension
  static final RunningNode NODE =
      new RunningNode(
          Map.of(
              "SHARDLESS_AUTOSCALE_INTERVAL", "1s",
              "SHARDLESS_AUTOSCALE_STABLE_WINDOW", "10s",
              "SHARDLESS_AUTOSCALE_PANIC_WINDOW", "2s",
              "SHARDLESS_AUTOSCALE_DOWN_WINDOW", "10s"));

  static int available(String name) throws Exception {
    HttpResponse<String> r = NODE.api().system("GET", "/system/function/" + name, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Api.json(r).get("availableReplicas").asInt();
  }

  static void deploy(String name, int target) throws Exception {
    String labels =
        "\"com.openfaas.scale.min\":\"1\",\"com.openfaas.scale.max\":\"4\","
            + "\"com.openfaas.scale.target\":\""
            + target
            + "\",\"com.openfaas.scale.type\":\"capacity\"";
    HttpResponse<String> r =
        NODE.api().system("POST", "/system/functions", Api.probe(name, "", labels));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(30)).until(() -> available(name) == 1);
  }

  @Test
  void theAutoscalerScalesDownUnderSteadyLoadWithoutAFailedCall() throws Exception {
    deploy("ebb", 2);
    try (SteadyLoad steady = new SteadyLoad(NODE.api(), "/function/ebb" + SLEEP, 2, 2_000)) {
      try (SteadyLoad burst = new SteadyLoad(NODE.api(), "/function/ebb" + SLEEP, 10, 2_000)) {
        await().atMost(Duration.ofSeconds(60)).until(() -> available("ebb") >= 3);
        burst.stop();
        assertThat(burst.failures()).as("every burst call answered 200").isEmpty();
      }
      // 2 clients keep calling: 2 in flight / 1.8 per replica asks for 2, so replicas go.
      await().atMost(Duration.ofSeconds(90)).until(() -> available("ebb") <= 2);
      long before = steady.succeeded();
      await().atMost(Duration.ofSeconds(60)).until(() -> steady.succeeded() >= before + 20);
      steady.stop();
      assertThat(steady.failures()).as("every call answered 200").isEmpty();
    }
  }

  @Test
  void scaleFunctionDownUnderSteadyLoadDrainsWithoutAFailedCall() throws Exception {
    deploy("steady", 10); // 3 clients / 9 per replica: the autoscaler wants 1
    try (SteadyLoad load = new SteadyLoad(NODE.api(), "/function/steady" + SLEEP, 3, 2_000)) {
      scale("steady", 3);
      await().atMost(Duration.ofSeconds(30)).until(() -> available("steady") == 3);
      long atThree = load.succeeded();
      await().atMost(Duration.ofSeconds(30)).until(() -> load.succeeded() >= atThree + 15);
      scale("steady", 1);
      await().atMost(Duration.ofSeconds(30)).until(() -> available("steady") == 1);
      long atOne = load.succeeded();
      await().atMost(Duration.ofSeconds(30)).until(() -> load.succeeded() >= atOne + 15);
      load.stop();
      assertThat(load.failures()).as("every call answered 200").isEmpty();
    }
  }

  static void scale(String name, int replicas) throws Exception {
    HttpResponse<String> r =
        NODE.api()
            .system(
                "POST",
                "/system/scale-function/" + name,
                "{\"serviceName\":\"" + name + "\",\"replicas\":" + replicas + "}");
    assertThat(r.statusCode()).as(r.body()).isIn(200, 202);
  }
}
