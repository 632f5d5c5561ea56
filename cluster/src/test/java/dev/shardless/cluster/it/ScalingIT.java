package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Autoscaling on a real node with the default autoscaler settings: real gateway, real probe
 * processes, 12 concurrent clients calling {@code /sleep?ms=200}.
 */
class ScalingIT {
  private static final int CLIENTS = 12;
  private static final int MAX_ROUNDS = 600; // 12 × 600 × 200 ms: a bound, never reached
  private static final String SLEEP = "/sleep?ms=200";

  @RegisterExtension static final RunningNode NODE = new RunningNode();

  static void deploy(String name, String labels) throws Exception {
    HttpResponse<String> r =
        NODE.api().system("POST", "/system/functions", Api.probe(name, "", labels));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> status(name).get("availableReplicas").asInt() >= 1);
  }

  static JsonNode status(String name) throws Exception {
    HttpResponse<String> r = NODE.api().system("GET", "/system/function/" + name, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Api.json(r);
  }

  static String labels(int min, int max, String extra) {
    return "\"com.openfaas.scale.min\":\""
        + min
        + "\",\"com.openfaas.scale.max\":\""
        + max
        + "\",\"com.openfaas.scale.target\":\"2\",\"com.openfaas.scale.type\":\"capacity\""
        + extra;
  }

  @Test
  void capacityFunctionScalesUpWithinMaxThenIdlesToZeroAndWakesOnTheNextCall() throws Exception {
    deploy(
        "burst",
        labels(
            1,
            4,
            ",\"com.openfaas.scale.zero\":\"true\",\"com.openfaas.scale.zero-duration\":\"20s\""));
    long loadEnded;
    try (ReplicaWatch watch = new ReplicaWatch(NODE.api(), "burst");
        SteadyLoad load =
            new SteadyLoad(NODE.api(), "/function/burst" + SLEEP, CLIENTS, MAX_ROUNDS)) {
      long started = System.nanoTime();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> status("burst").get("availableReplicas").asInt() >= 3);
      System.out.printf(
          "ScalingIT: %d ready replicas after %d ms of load%n",
          status("burst").get("availableReplicas").asInt(),
          (System.nanoTime() - started) / 1_000_000);
      // Keep the load on a while longer at the new size: calls spread over the new replicas.
      long before = load.succeeded();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> load.succeeded() >= before + 5L * CLIENTS || load.finished());
      load.stop();
      loadEnded = System.nanoTime();
      assertThat(load.failures()).as("every call answered 200").isEmpty();
      assertThat(load.succeeded()).isPositive();
      System.out.printf(
          "ScalingIT: %d calls, max desired %d, max ready %d%n",
          load.succeeded(), watch.maxDesired(), watch.maxAvailable());

      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> status("burst").get("availableReplicas").asInt() == 0);
      System.out.printf(
          "ScalingIT: at zero %d ms after the load ended (zero-duration 20s)%n",
          (System.nanoTime() - loadEnded) / 1_000_000);
      assertThat(watch.maxAvailable()).as("never more than max ready").isBetween(3, 4);
      assertThat(watch.maxDesired()).as("never more than max wanted").isLessThanOrEqualTo(4);
    }
    assertThat(status("burst").get("replicas").asInt()).isZero();

    long cold = System.nanoTime();
    HttpResponse<String> wake = NODE.api().invoke("GET", "/function/burst" + SLEEP, null);
    assertThat(wake.statusCode()).as(wake.body()).isEqualTo(200);
    System.out.printf(
        "ScalingIT: scale from zero answered in %d ms%n", (System.nanoTime() - cold) / 1_000_000);
  }

  @Test
  void pinnedMinEqualsMaxKeepsItsReplicasUnderLoadAndWhenIdle() throws Exception {
    deploy("pinned", labels(2, 2, ""));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> status("pinned").get("availableReplicas").asInt() == 2);
    try (ReplicaWatch watch = new ReplicaWatch(NODE.api(), "pinned");
        SteadyLoad load = new SteadyLoad(NODE.api(), "/function/pinned" + SLEEP, CLIENTS, 25)) {
      await().atMost(Duration.ofSeconds(120)).until(load::finished);
      load.stop();
      assertThat(load.failures()).as("every call answered 200").isEmpty();
      assertThat(load.succeeded()).isEqualTo(CLIENTS * 25L);
      assertThat(watch.maxDesired()).isEqualTo(2);
      assertThat(watch.maxAvailable()).isEqualTo(2);
    }
    // Idle: still two, over several autoscaler intervals (2 s).
    await()
        .during(Duration.ofSeconds(8))
        .atMost(Duration.ofSeconds(12))
        .until(() -> status("pinned").get("availableReplicas").asInt() == 2);
    assertThat(status("pinned").get("replicas").asInt()).isEqualTo(2);
  }
}
