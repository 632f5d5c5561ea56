package dev.shardless.k8s.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardless.k8s.Conventions;
import dev.shardless.k8s.SpecVersion;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.port.FunctionReplicas;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The platform against fabric8's API-server mock in CRUD mode. The mock runs no controllers, so
 * each test plays the ReplicaSet and the kubelet itself: it creates the Deployment, creates pods,
 * marks them Ready with an IP, and deletes them.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesPlatformTest {
  private static final String NS = "fns";
  private static final String FN = "hello";
  private static final FunctionId FUNCTION = new FunctionId(NS, FN);
  private static final ReplicaId A = new ReplicaId("hello-1");
  private static final ReplicaId B = new ReplicaId("hello-2");
  private static final Map<String, String> POD_LABELS =
      Map.of(Conventions.FUNCTION_LABEL, FN, Conventions.MANAGED_BY_LABEL, Conventions.MANAGED_BY);
  private static final Duration LONG = Duration.ofMinutes(10);
  private static final FunctionSpec V1 = spec("ghcr.io/example/hello:1");
  private static final FunctionSpec V2 = spec("ghcr.io/example/hello:2");

  private static FunctionSpec spec(String image) {
    return new FunctionSpec(FUNCTION, image, null, null, null, null, null, null, null, null, false);
  }

  KubernetesClient client;
  KubernetesMockServer server;

  private final ExecutorService blocking = Executors.newCachedThreadPool();
  private final RecordingReplicaEvents events = new RecordingReplicaEvents();
  private KubernetesPlatform platform;

  @AfterEach
  void stopPlatform() {
    if (platform != null) {
      platform.shutdown();
    }
    blocking.shutdownNow();
  }

  private static KubernetesPlatformSettings settings(
      Duration readiness, Duration deploymentWait, Duration adoptGrace) {
    return new KubernetesPlatformSettings(
        readiness,
        deploymentWait,
        adoptGrace,
        Integer.MIN_VALUE,
        Duration.ofMillis(20),
        Duration.ofMillis(100),
        Duration.ZERO,
        Duration.ofMillis(100));
  }

  private FunctionReplicas open() {
    return open(settings(LONG, LONG, LONG));
  }

  /** A platform whose replica {@link #A} is bound to pod hello-a at 10.1.0.1, Deployment at 1. */
  private FunctionReplicas openWithOneReadyReplica() {
    createDeployment(0);
    FunctionReplicas replicas = open();
    replicas.start(A, V1);
    createPod("hello-a", "10.1.0.1", true);
    await().until(() -> events.lines().size() == 1 && replicas() == 1);
    return replicas;
  }

  /** Replicas A and B started, pods hello-a and hello-b Ready, both bound, Deployment at 2. */
  private FunctionReplicas openWithTwoReadyReplicas() {
    createDeployment(0);
    FunctionReplicas replicas = open();
    replicas.start(A, V1);
    replicas.start(B, V1);
    createPod("hello-a", "10.1.0.1", true);
    createPod("hello-b", "10.1.0.2", true);
    await().until(() -> events.lines().size() == 2 && replicas() == 2);
    return replicas;
  }

  private FunctionReplicas open(KubernetesPlatformSettings settings) {
    platform = new KubernetesPlatform(client, settings, blocking);
    return platform.open(FUNCTION, events);
  }

  @Test
  void aStartRaisesTheDeploymentsReplicasThroughTheScaleSubresource() throws Exception {
    createDeployment(0);
    FunctionReplicas replicas = open();

    replicas.start(A, V1);
    await().until(this::replicas, n -> n == 1);
    replicas.start(B, V1);
    await().until(this::replicas, n -> n == 2);

    assertThat(requests()).anyMatch(r -> r.getPath().endsWith("/deployments/" + FN + "/scale"));
  }

  @Test
  void aReplicaIsReadyWhenAPodTurnsReadyAndIsReportedAtItsIpAndHttpPort() {
    createDeployment(0);
    FunctionReplicas replicas = open();
    replicas.start(A, V1);
    createPod("hello-a", null, false);

    setReady("hello-a", "10.1.0.1", true);

    await()
        .untilAsserted(
            () -> assertThat(events.lines()).containsExactly("ready hello-1 10.1.0.1:8080"));
  }

  @Test
  void twoStartsAreBoundToTwoDistinctPods() {
    openWithTwoReadyReplicas();

    assertThat(events.lines())
        .containsExactlyInAnyOrder("ready hello-1 10.1.0.1:8080", "ready hello-2 10.1.0.2:8080");
  }

  @Test
  void stoppingABoundReplicaMarksItsPodBeforeLoweringTheReplicasAndEndsWhenThePodIsGone()
      throws Exception {
    FunctionReplicas replicas = openWithTwoReadyReplicas();
    String podOfA = events.lines().contains("ready hello-1 10.1.0.1:8080") ? "hello-a" : "hello-b";
    requests(); // forget what came before

    replicas.stop(A, LONG);

    await().until(this::replicas, n -> n == 1);
    List<String> writes =
        requests().stream()
            .filter(r -> !r.getMethod().equals("GET"))
            .map(r -> r.getMethod() + " " + r.getPath())
            .toList();
    int mark = indexOf(writes, "/pods/" + podOfA);
    int scale = indexOf(writes, "/deployments/" + FN + "/scale");
    assertThat(mark).as("pod marked in %s", writes).isNotNegative().isLessThan(scale);
    assertThat(annotation(podOfA)).isEqualTo(String.valueOf(Integer.MIN_VALUE));
    assertThat(events.lines()).doesNotContain("stopped hello-1");

    client.pods().inNamespace(NS).withName(podOfA).delete(); // the ReplicaSet removes it

    await().untilAsserted(() -> assertThat(events.lines()).endsWith("stopped hello-1"));
    assertThat(events.lines()).noneMatch(l -> l.startsWith("lost"));
  }

  @Test
  void stoppingAPendingReplicaEndsItAtOnceAndLowersTheReplicasAgain() {
    createDeployment(0);
    FunctionReplicas replicas = open();
    replicas.start(A, V1);
    await().until(this::replicas, n -> n == 1);

    replicas.stop(A, LONG);

    assertThat(events.lines()).containsExactly("stopped hello-1");
    await().until(this::replicas, n -> n == 0);
  }

  @Test
  void stoppingAnUnknownReplicaEndsItAtOnce() {
    createDeployment(0);

    open().stop(A, LONG);

    assertThat(events.lines()).containsExactly("stopped hello-1");
  }

  @Test
  void aBoundPodDeletedUnaskedIsLostWithItsReasonAndTheReplicasFall() {
    FunctionReplicas replicas = openWithOneReadyReplica();

    client.pods().inNamespace(NS).withName("hello-a").delete();

    await()
        .untilAsserted(
            () ->
                assertThat(events.lines())
                    .containsExactly(
                        "ready hello-1 10.1.0.1:8080", "lost hello-1 pod hello-a deleted"));
    await().until(this::replicas, n -> n == 0);
  }

  @Test
  void aBoundPodTurningNotReadyIsLost() {
    FunctionReplicas replicas = openWithOneReadyReplica();

    setReady("hello-a", "10.1.0.1", false);

    await()
        .untilAsserted(
            () -> assertThat(events.lines()).endsWith("lost hello-1 pod hello-a not ready"));
    await().until(this::replicas, n -> n == 0);
  }

  @Test
  void aDeploymentCreatedAfterTheFirstStartIsScaledOnceItExists() throws Exception {
    FunctionReplicas replicas = open();
    replicas.start(A, V1);
    await().until(() -> requests().stream().anyMatch(r -> r.getPath().contains("/deployments/")));

    createDeployment(0);

    await().until(this::replicas, n -> n == 1);
    assertThat(events.lines()).isEmpty();
  }

  @Test
  void aFailedScaleWriteIsRetriedUntilItIsApplied() throws Exception {
    createDeployment(0);
    String scale = "/apis/apps/v1/namespaces/" + NS + "/deployments/" + FN + "/scale";
    // 409 (a concurrent write won), which the client itself does not retry
    server.expect().put().withPath(scale).andReturn(409, "conflict").times(2);

    open().start(A, V1);

    await().until(this::replicas, n -> n == 1);
    assertThat(requests())
        .filteredOn(r -> r.getMethod().equals("PUT") && r.getPath().equals(scale))
        .hasSize(3);
    assertThat(events.lines()).isEmpty();
  }

  @Test
  void aDeploymentThatNeverComesLosesTheWaitingReplicasNamingIt() {
    FunctionReplicas replicas = open(settings(LONG, Duration.ofMillis(200), LONG));

    replicas.start(A, V1);

    await()
        .untilAsserted(
            () ->
                assertThat(events.lines())
                    .containsExactly("lost hello-1 Deployment fns/hello not found after 200ms"));
  }

  @Test
  void aReplicaWithoutAReadyPodWithinTheReadinessTimeoutIsLost() {
    createDeployment(0);
    FunctionReplicas replicas = open(settings(Duration.ofMillis(300), LONG, LONG));

    replicas.start(A, V1);
    createPod("hello-a", null, false);

    await()
        .untilAsserted(
            () ->
                assertThat(events.lines())
                    .containsExactly("lost hello-1 no Ready pod after 300ms"));
    await().until(this::replicas, n -> n == 0);
  }

  @Test
  void aDrainedPodStillThereAfterTheGraceIsDeletedAndTheReplicaStopped() {
    FunctionReplicas replicas = openWithOneReadyReplica();

    replicas.stop(A, Duration.ofMillis(100)); // an old cluster: the ReplicaSet ignores the cost

    await().untilAsserted(() -> assertThat(events.lines()).endsWith("stopped hello-1"));
    assertThat(client.pods().inNamespace(NS).withName("hello-a").get()).isNull();
  }

  @Test
  void closeKeepsThePodsAndTheNextIncarnationAdoptsTheReadyOnesAtOnce() {
    FunctionReplicas first = openWithOneReadyReplica();

    first.close();
    RecordingReplicaEvents next = new RecordingReplicaEvents();
    FunctionReplicas second = platform.open(FUNCTION, next);
    second.start(new ReplicaId("hello-7"), V1);

    await()
        .untilAsserted(
            () -> assertThat(next.lines()).containsExactly("ready hello-7 10.1.0.1:8080"));
    assertThat(replicas()).isEqualTo(1);
    assertThat(client.pods().inNamespace(NS).list().getItems()).hasSize(1);
    assertThat(events.lines()).containsExactly("ready hello-1 10.1.0.1:8080");
  }

  @Test
  void aReplicaOfAnUpdatedSpecWaitsForAPodOfThatSpecThoughAPodOfTheOldOneIsReady() {
    createDeployment(1);
    createPod("hello-old", "10.1.0.1", true, V1);
    FunctionReplicas replicas = open();
    await().until(() -> platform.pods(FUNCTION).size() == 1);

    replicas.start(B, V2); // the spec was updated to V2; the rollout has not begun

    assertThat(events.lines()).as("the V1 pod was seen at the start and not bound").isEmpty();
    await()
        .alias("the V1 pod is of no use to V2 replicas: marked to go first")
        .until(() -> String.valueOf(Integer.MIN_VALUE).equals(annotation("hello-old")));
    createPod("hello-new", null, false, V2); // the new ReplicaSet's pod, starting
    await().until(() -> platform.pods(FUNCTION).size() == 2);
    assertThat(events.lines()).isEmpty();

    setReady("hello-new", "10.1.0.2", true);

    await()
        .untilAsserted(
            () -> assertThat(events.lines()).containsExactly("ready hello-2 10.1.0.2:8080"));
    assertThat(annotation("hello-new")).isNull();
  }

  @Test
  void aNewIncarnationAdoptsOnlyThePodsOfItsSpec() {
    FunctionReplicas first = openWithOneReadyReplica(); // hello-a runs V1
    createPod("hello-b", "10.1.0.2", true, V2);
    await().until(() -> platform.pods(FUNCTION).size() == 2);

    first.close();
    RecordingReplicaEvents next = new RecordingReplicaEvents();
    platform.open(FUNCTION, next).start(new ReplicaId("hello-7"), V2);

    await()
        .untilAsserted(
            () -> assertThat(next.lines()).containsExactly("ready hello-7 10.1.0.2:8080"));
  }

  @Test
  void aPodAnOperatorFromBeforeSpecVersionsBuiltIsStillAdoptedAfterAnUpgrade() {
    createDeployment(1);
    createPod("hello-legacy", "10.1.0.1", true, null);
    FunctionReplicas replicas = open();

    replicas.start(A, V1);

    await()
        .untilAsserted(
            () -> assertThat(events.lines()).containsExactly("ready hello-1 10.1.0.1:8080"));
  }

  @Test
  void anIncarnationThatAsksNothingWithinTheAdoptGraceScalesTheLeftoversAway() {
    createDeployment(2);
    createPod("hello-a", "10.1.0.1", true);
    createPod("hello-b", "10.1.0.2", true);

    open(settings(LONG, LONG, Duration.ofMillis(200)));

    await().until(this::replicas, n -> n == 0);
    assertThat(annotation("hello-a")).isEqualTo(String.valueOf(Integer.MIN_VALUE));
    assertThat(annotation("hello-b")).isEqualTo(String.valueOf(Integer.MIN_VALUE));
    assertThat(events.lines()).isEmpty();
  }

  @Test
  void aMarkedPodBoundAgainLosesItsLowDeletionCost() {
    createDeployment(1);
    createPod("hello-a", "10.1.0.1", true);
    FunctionReplicas replicas = open(settings(LONG, LONG, Duration.ofMillis(100)));
    await().until(() -> annotation("hello-a") != null); // a leftover, marked to go

    replicas.start(A, V1); // before the ReplicaSet got to it

    await()
        .untilAsserted(
            () -> assertThat(events.lines()).containsExactly("ready hello-1 10.1.0.1:8080"));
    await().until(() -> annotation("hello-a") == null);
  }

  @Test
  void whileTheApiServerIsUnreachableKnownReadyPodsStayRoutedAndNothingIsLost() {
    FunctionReplicas replicas = openWithOneReadyReplica();
    createPod("hello-b", "10.1.0.2", true);
    await().until(() -> platform.pods(FUNCTION).size() == 2);

    server.destroy();
    await().until(() -> !platform.watching(NS));
    replicas.start(B, V1);

    await()
        .untilAsserted(
            () ->
                assertThat(events.lines())
                    .containsExactly("ready hello-1 10.1.0.1:8080", "ready hello-2 10.1.0.2:8080"));
  }

  @Test
  void shutdownScalesNothingAndAnswersLaterStartsLost() {
    FunctionReplicas replicas = openWithOneReadyReplica();

    platform.shutdown().toCompletableFuture().join();
    RecordingReplicaEvents late = new RecordingReplicaEvents();
    platform.open(FUNCTION, late).start(B, V1);

    assertThat(late.lines()).containsExactly("lost hello-2 the node is shutting down");
    assertThat(replicas()).isEqualTo(1);
    assertThat(client.pods().inNamespace(NS).withName("hello-a").get()).isNotNull();
  }

  // ---- Playing the operator, the ReplicaSet and the kubelet ----

  private void createDeployment(int replicas) {
    Deployment d =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(FN)
            .withNamespace(NS)
            .endMetadata()
            .withNewSpec()
            .withReplicas(replicas)
            .withNewSelector()
            .addToMatchLabels(Conventions.FUNCTION_LABEL, FN)
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(POD_LABELS)
            .endMetadata()
            .withNewSpec()
            .withContainers(container())
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    client.apps().deployments().inNamespace(NS).resource(d).create();
  }

  /** The function's container, serving on the port named {@code http} like the operator's. */
  private static Container container() {
    return new ContainerBuilder()
        .withName(FN)
        .withImage("ghcr.io/example/hello:1")
        .addNewPort()
        .withName(Conventions.FUNCTION_PORT_NAME)
        .withContainerPort(Conventions.FUNCTION_PORT)
        .endPort()
        .build();
  }

  private int replicas() {
    Deployment d = client.apps().deployments().inNamespace(NS).withName(FN).get();
    return d == null || d.getSpec().getReplicas() == null ? -1 : d.getSpec().getReplicas();
  }

  /** A pod of spec {@link #V1}, as the operator's Deployment builds them. */
  private void createPod(String name, String ip, boolean ready) {
    createPod(name, ip, ready, V1);
  }

  /**
   * A pod built from {@code spec}: annotated with its version, like the operator's pods; null for a
   * pod without the annotation, like an older operator's.
   */
  private void createPod(String name, String ip, boolean ready, FunctionSpec spec) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(NS)
            .withLabels(POD_LABELS)
            .withAnnotations(
                spec == null
                    ? null
                    : Map.of(Conventions.SPEC_VERSION_ANNOTATION, SpecVersion.of(spec)))
            .endMetadata()
            .withNewSpec()
            .withContainers(container())
            .endSpec()
            .build();
    client.pods().inNamespace(NS).resource(pod).create();
    setReady(name, ip, ready);
  }

  private void setReady(String name, String ip, boolean ready) {
    client
        .pods()
        .inNamespace(NS)
        .withName(name)
        .editStatus(
            p ->
                new PodBuilder(p)
                    .withNewStatus()
                    .withPhase("Running")
                    .withPodIP(ip)
                    .withConditions(
                        new PodConditionBuilder()
                            .withType("Ready")
                            .withStatus(ready ? "True" : "False")
                            .build())
                    .endStatus()
                    .build());
  }

  private String annotation(String pod) {
    Pod p = client.pods().inNamespace(NS).withName(pod).get();
    return p.getMetadata().getAnnotations() == null
        ? null
        : p.getMetadata().getAnnotations().get(Conventions.POD_DELETION_COST);
  }

  /** The requests the mock received since the last call, oldest first. */
  private List<RecordedRequest> requests() throws InterruptedException {
    List<RecordedRequest> out = new ArrayList<>();
    for (RecordedRequest r = server.takeRequest(0, TimeUnit.MILLISECONDS);
        r != null;
        r = server.takeRequest(0, TimeUnit.MILLISECONDS)) {
      out.add(r);
    }
    return out;
  }

  private static int indexOf(List<String> writes, String pathEnd) {
    for (int i = 0; i < writes.size(); i++) {
      if (writes.get(i).endsWith(pathEnd)) {
        return i;
      }
    }
    return -1;
  }
}
