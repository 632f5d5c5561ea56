package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.shardless.k8s.testing.KubeApiServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 6's bad input "lost API-server connectivity", on the real control plane of {@link
 * KubernetesIT} (see there what is real and what is stood in): the kube-apiserver process is
 * stopped while a Shardless node serves functions, and started again on the same address. While it
 * is away the data path keeps routing to the Ready pods it knows; once it is back the node's pod
 * informers and the operator resync, and writes (scale) go through again.
 *
 * <p>A class of its own: the control plane is shared by the JVM's Kubernetes tests, and no other
 * test may run while its API server is down.
 */
class KubernetesOutageIT {
  private static final String NS = KubeCluster.NS;
  private static final String STEADY = "steady-through-outage";
  private static final String IDLE = "idle-through-outage";
  private static final String SLEEP = "/sleep?ms=100";
  private static final int CLIENTS = 4;

  /**
   * Calls of the steady load that must succeed while the API server is down: the outage lasts as
   * long as they take (about 25 s here: 4 clients of 100 ms calls).
   */
  private static final int OUTAGE_CALLS = 700;

  private static KubeCluster k8s;
  private static Api gateway;

  @BeforeAll
  static void start() throws Exception {
    // The scale-function floor holds for the whole test, so the count stays where it is put.
    k8s = KubeCluster.start(Map.of("SHARDLESS_AUTOSCALE_DOWN_WINDOW", "10m"));
    gateway = k8s.gateway();
  }

  @AfterAll
  static void stop() {
    if (k8s != null) {
      k8s.close();
    }
  }

  /**
   * Capacity scaling from 2 to 4 replicas with a target of 5 calls in flight each, so that the
   * steady load here keeps it at 2: nothing asks for a scale write during the outage.
   */
  private static String twoToFour() {
    return "\"com.openfaas.scale.min\":\"2\",\"com.openfaas.scale.max\":\"4\","
        + "\"com.openfaas.scale.target\":\"5\",\"com.openfaas.scale.type\":\"capacity\"";
  }

  @Test
  void knownReadyPodsKeepServingWhileTheApiServerIsDownAndEverythingResyncsWhenItIsBack()
      throws Exception {
    KubeApiServer api = k8s.api;
    k8s.deploy(STEADY, twoToFour());
    k8s.deploy(IDLE, ScalingIT.labels(1, 1, ""));
    await().atMost(Duration.ofSeconds(90)).until(() -> k8s.readyPods(STEADY).size() == 2);
    await().atMost(Duration.ofSeconds(90)).until(() -> k8s.readyPods(IDLE).size() == 1);
    assertThat(echo(IDLE).statusCode()).isEqualTo(200);
    pidsOfReplicas(2);

    try (SteadyLoad load =
        new SteadyLoad(gateway, "/function/" + STEADY + SLEEP, CLIENTS, 1_000_000)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> load.succeeded() >= 50);
      long logBefore = k8s.node().output().lines().count();

      long stopping = System.nanoTime();
      api.stopApiServer();
      long stopMillis = millisSince(stopping);
      long down = System.nanoTime();
      long callsAtStop = load.succeeded();
      assertThatThrownBy(() -> api.kubectl("get", "pods", "-n", NS, "--request-timeout=5s"))
          .as("the API server is really away")
          .hasMessageContaining("refused");

      await()
          .atMost(Duration.ofMinutes(3))
          .until(
              () -> load.succeeded() >= callsAtStop + OUTAGE_CALLS || !load.failures().isEmpty());
      assertThat(load.failures())
          .as("every call answered 200 while the API server was down")
          .isEmpty();
      HttpResponse<String> idle = echo(IDLE);
      assertThat(idle.statusCode())
          .as("a function known before the outage still answers at its end: " + idle.body())
          .isEqualTo(200);
      long callsInOutage = load.succeeded() - callsAtStop;
      long outageMillis = millisSince(down);

      long starting = System.nanoTime();
      api.startApiServer();
      long restartMillis = millisSince(starting);
      long up = System.nanoTime();

      // Scale writes go through again, and the pod informer delivers the new Ready pod.
      HttpResponse<String> scale =
          gateway.system(
              "POST",
              "/system/scale-function/" + STEADY,
              "{\"serviceName\":\"" + STEADY + "\",\"namespace\":\"" + NS + "\",\"replicas\":3}");
      assertThat(scale.statusCode()).as(scale.body()).isEqualTo(202);
      await().atMost(Duration.ofSeconds(90)).until(() -> k8s.replicas(STEADY) == 3);
      long scaleMillis = millisSince(up);
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> k8s.status(STEADY).get("availableReplicas").asInt() == 3);
      long resyncMillis = millisSince(up);

      // A pod deleted now is reported lost and its replacement bound and called.
      pidsOfReplicas(3);
      String victim = k8s.readyPods(STEADY).get(0).getMetadata().getName();
      long deleted = System.nanoTime();
      api.kubectl("delete", "pod", "-n", NS, victim, "--wait=false");
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> k8s.node().output().contains("lost: pod " + victim + " deleted"));
      long lostMillis = millisSince(deleted);
      // The node's view and the API server's agree again: the victim is gone from both, and the
      // node routes to exactly the Ready pods there are. (Whether a replacement comes is the
      // entity's scaling decision: a lost replica also lowers the Deployment's count.)
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () -> {
                List<String> ready =
                    k8s.readyPods(STEADY).stream().map(p -> p.getMetadata().getName()).toList();
                return !ready.contains(victim)
                    && ready.size() >= 2
                    && k8s.status(STEADY).get("availableReplicas").asInt() == ready.size();
              });
      long reboundMillis = millisSince(deleted);

      long callsAfter = load.succeeded();
      await().atMost(Duration.ofSeconds(60)).until(() -> load.succeeded() >= callsAfter + 100);
      load.stop();
      assertThat(load.failures())
          .as("every call answered 200, through the outage and after")
          .isEmpty();

      List<String> outageLog = k8s.node().output().lines().skip(logBefore).toList();
      long stackLines = outageLog.stream().filter(l -> l.startsWith("\tat ")).count();
      System.out.printf(
          "API-server outage: stopping it took %d ms; %d ms refused (%d calls, 0 failed) until it"
              + " was started again (%d ms to /readyz); once ready: scale written in %d ms, the"
              + " node serving from the new pod in %d ms; a deleted pod reported lost in %d ms,"
              + " the node's replicas matched the Ready pods again after %d ms; %d calls in all; node log: %d lines (%d"
              + " stack-trace lines) from the outage to the end of the load%n",
          stopMillis,
          outageMillis,
          callsInOutage,
          restartMillis,
          scaleMillis,
          resyncMillis,
          lostMillis,
          reboundMillis,
          load.succeeded(),
          outageLog.size(),
          stackLines);
    }

    // The operator resynced: a change applied to the Function is rolled into the Deployment.
    api.kubectl(
        "patch",
        "function",
        STEADY,
        "-n",
        NS,
        "--type=merge",
        "-p",
        "{\"spec\":{\"labels\":{\"outage\":\"over\"}}}");
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(k8s.deployment(STEADY).getSpec().getTemplate().getMetadata().getLabels())
                    .containsEntry("outage", "over"));
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(() -> assertThat(echo(STEADY).statusCode()).isEqualTo(200));
    assertThat(k8s.status(STEADY).get("labels").get("outage").asText()).isEqualTo("over");
  }

  private static HttpResponse<String> echo(String function) throws Exception {
    return gateway.invoke("GET", "/function/" + function + "/echo", null);
  }

  /** Calls {@link #STEADY} until {@code replicas} processes have answered; their pids. */
  private static Set<Long> pidsOfReplicas(int replicas) {
    Set<Long> pids = new HashSet<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              pids.addAll(answeringPids());
              return pids.size() == replicas;
            });
    return pids;
  }

  /**
   * The pids of the replica processes that answer {@link #CLIENTS} calls of {@link #STEADY} made at
   * once (calls in flight are spread over its replicas; one after the other, they would all go to
   * the same one).
   */
  private static Set<Long> answeringPids() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        calls.add(callers.submit(() -> gateway.invoke("GET", "/function/" + STEADY + SLEEP, null)));
      }
      Set<Long> pids = new HashSet<>();
      for (Future<HttpResponse<String>> call : calls) {
        HttpResponse<String> r = call.get();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        pids.add(Api.json(r).get("pid").asLong());
      }
      return pids;
    } finally {
      callers.shutdown();
    }
  }

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }
}
