package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shardless.k8s.testing.KubeApiServer;
import dev.shardless.k8s.testing.StandInKubelet;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Shardless on a real Kubernetes control plane, end to end: a real kube-apiserver 1.20.2 with etcd
 * and kube-controller-manager (built from Debian's sources by the k8s test harness), the project's
 * manifests from {@code k8s/deploy} applied to it, and a real Shardless node running with {@code
 * SHARDLESS_PLATFORM=kubernetes} under the manifests' service account (so its least-privilege RBAC
 * is what it has). Stood in: the kubelet ({@link StandInKubelet}, test code: it binds pods to a
 * fake node and runs each pod's function as a local process on its own 127.0.0.x address); there is
 * no container runtime, kube-scheduler or kube-proxy.
 */
class KubernetesIT {
  private static final String NS = KubeCluster.NS;
  private static final String SLEEP = "/sleep?ms=200";

  private static KubeCluster k8s;
  private static KubeApiServer api;
  private static KubernetesClient admin;
  private static Api gateway;
  private static Path dir;

  @BeforeAll
  static void start() throws Exception {
    k8s = KubeCluster.start();
    api = k8s.api;
    admin = k8s.admin;
    gateway = k8s.gateway();
    dir = k8s.dir;
  }

  @AfterAll
  static void stop() {
    if (k8s != null) {
      k8s.close();
    }
  }

  /** Capacity scaling with target 2 in flight per replica, as ScalingIT. */
  private static String capacityLabels(int min, int max, String extra) {
    return ScalingIT.labels(min, max, extra);
  }

  @Test
  void aRestDeployBecomesAFunctionADeploymentAndReadyPodsThatAnswer() throws Exception {
    k8s.deploy("hello", capacityLabels(1, 3, ""));

    GenericKubernetesResource fn = k8s.function("hello").get();
    assertThat(fn).as("the REST API wrote the Function resource").isNotNull();
    assertThat(fn.getAdditionalProperties().get("spec").toString()).contains("test/probe");
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              Deployment d = k8s.deployment("hello");
              assertThat(d).as("the operator built the Deployment").isNotNull();
              assertThat(d.getMetadata().getOwnerReferences())
                  .singleElement()
                  .satisfies(
                      o -> {
                        assertThat(o.getKind()).isEqualTo("Function");
                        assertThat(o.getName()).isEqualTo("hello");
                        assertThat(o.getController()).isTrue();
                      });
              assertThat(admin.services().inNamespace(NS).withName("hello").get()).isNotNull();
            });

    HttpResponse<String> call = gateway.invoke("POST", "/function/hello/echo", "ping");
    assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
    assertThat(call.body()).contains("ping");
    assertThat(k8s.replicas("hello")).isEqualTo(1);
    assertThat(
            admin
                .apps()
                .replicaSets()
                .inNamespace(NS)
                .withLabel("faas_function", "hello")
                .list()
                .getItems())
        .as("the real Deployment controller made a ReplicaSet")
        .singleElement()
        .satisfies(
            rs ->
                assertThat(rs.getMetadata().getOwnerReferences().get(0).getName())
                    .isEqualTo("hello"));
    assertThat(k8s.readyPods("hello")).hasSize(1);
    assertThat(k8s.readyPods("hello").get(0).getStatus().getPodIP()).startsWith("127.0.0.");

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(api.kubectl("get", "functions", "-n", NS, "hello"))
                    .contains("IMAGE")
                    .contains("READY")
                    .containsPattern("hello\\s+test/probe\\s+1\\s+1\\s+True"));
    assertThat(k8s.status("hello").get("availableReplicas").asInt()).isEqualTo(1);
  }

  @Test
  void scalesTheDeploymentUpUnderLoadThenIdlesToZeroAndWakesAgain() throws Exception {
    k8s.deploy(
        "burst",
        capacityLabels(
            1,
            4,
            ",\"com.openfaas.scale.zero\":\"true\",\"com.openfaas.scale.zero-duration\":\"15s\""));
    await().atMost(Duration.ofSeconds(60)).until(() -> k8s.readyPods("burst").size() == 1);

    try (SteadyLoad load = new SteadyLoad(gateway, "/function/burst" + SLEEP, 10, 3_000)) {
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> k8s.replicas("burst") >= 3 && k8s.readyPods("burst").size() >= 3);
      long before = load.succeeded();
      await().atMost(Duration.ofSeconds(60)).until(() -> load.succeeded() >= before + 50);
      load.stop();
      assertThat(load.failures()).as("every call answered 200").isEmpty();
    }
    List<String> ips = k8s.readyPods("burst").stream().map(p -> p.getStatus().getPodIP()).toList();
    assertThat(ips).as("each pod has its own address").doesNotHaveDuplicates();

    await()
        .atMost(Duration.ofSeconds(120))
        .until(() -> k8s.replicas("burst") == 0 && k8s.podCount("burst") == 0);
    assertThat(k8s.status("burst").get("availableReplicas").asInt()).isZero();

    HttpResponse<String> wake = gateway.invoke("GET", "/function/burst/echo", null);
    assertThat(wake.statusCode()).as("the next call wakes it from zero").isEqualTo(200);
    assertThat(k8s.replicas("burst")).isEqualTo(1);
  }

  @Test
  void aFunctionAppliedWithKubectlIsServedAndItsDeletionRemovesIt() throws Exception {
    Path yaml = KubeCluster.probeFunctionYaml(dir, "applied", 1, 2);
    api.kubectl("apply", "-f", yaml.toString());

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> gateway.system("GET", "/system/function/applied", null).statusCode() == 200);
    HttpResponse<String> call = gateway.invoke("POST", "/function/applied/echo", "from kubectl");
    assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
    JsonNode listed = k8s.status("applied");
    assertThat(listed.get("labels").get("com.openfaas.scale.max").asText()).isEqualTo("2");

    api.kubectl("delete", "-f", yaml.toString());
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> gateway.system("GET", "/system/function/applied", null).statusCode() == 404);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> k8s.deployment("applied") == null && k8s.podCount("applied") == 0);
  }

  @Test
  void anInvalidFunctionIsRefusedByTheSchemaOrMarkedWithAConditionNamingTheField()
      throws Exception {
    Path outOfSchema = dir.resolve("out-of-schema.yaml");
    Files.writeString(
        outOfSchema,
        String.join(
            "\n",
            "apiVersion: shardless.dev/v1",
            "kind: Function",
            "metadata: {name: noscale, namespace: " + NS + "}",
            "spec:",
            "  image: test/probe",
            "  scaling: {max: 0}",
            ""));
    assertThatThrownBy(() -> api.kubectl("apply", "-f", outOfSchema.toString()))
        .hasMessageContaining("spec.scaling.max");

    Path invalid = dir.resolve("invalid.yaml");
    Files.writeString(
        invalid,
        String.join(
            "\n",
            "apiVersion: shardless.dev/v1",
            "kind: Function",
            "metadata: {name: badenv, namespace: " + NS + "}",
            "spec:",
            "  image: test/probe",
            "  envVars: {max_inflight: many}",
            ""));
    api.kubectl("apply", "-f", invalid.toString());
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              String conditions =
                  String.valueOf(
                      k8s.function("badenv").get().getAdditionalProperties().get("status"));
              assertThat(conditions).contains("InvalidSpec").contains("max_inflight");
            });
    assertThat(k8s.deployment("badenv")).as("nothing is built from an invalid spec").isNull();
    assertThat(gateway.system("GET", "/system/function/badenv", null).statusCode()).isEqualTo(404);

    // The operator carries on: a valid Function applied after it is served.
    k8s.deploy("after-bad", capacityLabels(1, 1, ""));
    HttpResponse<String> call = gateway.invoke("GET", "/function/after-bad/echo", null);
    assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
    api.kubectl("delete", "-f", invalid.toString());
  }

  @Test
  void aRestUpdateRollsOutAndARestDeleteGarbageCollectsTheDeployment() throws Exception {
    k8s.deploy("changing", capacityLabels(1, 1, ""));
    HttpResponse<String> first = gateway.invoke("GET", "/function/changing/echo", null);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);

    HttpResponse<String> update =
        gateway.system(
            "PUT",
            "/system/functions",
            Api.probe("changing", "\"GREETING\":\"v2\"", capacityLabels(1, 1, "")));
    assertThat(update.statusCode()).as(update.body()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(
                        k8s.deployment("changing")
                            .getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getEnv())
                    .anySatisfy(e -> assertThat(e.getName()).isEqualTo("GREETING")));
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              HttpResponse<String> call = gateway.invoke("GET", "/function/changing/echo", null);
              assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
              assertThat(call.body()).contains("\"greeting\": \"v2\"");
            });

    HttpResponse<String> delete =
        gateway.system(
            "DELETE",
            "/system/functions",
            "{\"functionName\":\"changing\",\"namespace\":\"" + NS + "\"}");
    assertThat(delete.statusCode()).as(delete.body()).isEqualTo(200);
    assertThat(k8s.function("changing").get()).as("the Function resource is gone").isNull();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                k8s.deployment("changing") == null
                    && admin.services().inNamespace(NS).withName("changing").get() == null
                    && k8s.podCount("changing") == 0);
    assertThat(gateway.invoke("GET", "/function/changing/echo", null).statusCode()).isEqualTo(404);
  }

  @Test
  void functionSecretsBecomeKubernetesSecretsThatTheDeploymentMounts() throws Exception {
    HttpResponse<String> created =
        gateway.system(
            "POST",
            "/system/secrets",
            "{\"name\":\"db-pass\",\"namespace\":\"" + NS + "\",\"value\":\"s3cret\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(secretValue("db-pass")).isEqualTo("s3cret");

    HttpResponse<String> updated =
        gateway.system(
            "PUT",
            "/system/secrets",
            "{\"name\":\"db-pass\",\"namespace\":\"" + NS + "\",\"value\":\"rotated\"}");
    assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
    assertThat(secretValue("db-pass")).isEqualTo("rotated");

    HttpResponse<String> deployed =
        gateway.system(
            "POST",
            "/system/functions",
            Api.probe("with-secret", "", capacityLabels(1, 1, ""))
                .replace("\"labels\"", "\"secrets\":[\"db-pass\"],\"labels\""));
    assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(
                        k8s.deployment("with-secret")
                            .getSpec()
                            .getTemplate()
                            .getSpec()
                            .getVolumes())
                    .anySatisfy(
                        v ->
                            assertThat(v.getProjected().getSources())
                                .anySatisfy(
                                    src ->
                                        assertThat(src.getSecret().getName())
                                            .isEqualTo("db-pass"))));

    HttpResponse<String> removed =
        gateway.system(
            "DELETE", "/system/secrets", "{\"name\":\"db-pass\",\"namespace\":\"" + NS + "\"}");
    assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
    assertThat(admin.secrets().inNamespace(NS).withName("db-pass").get()).isNull();
  }

  private static String secretValue(String name) {
    return new String(
        java.util.Base64.getDecoder()
            .decode(admin.secrets().inNamespace(NS).withName(name).get().getData().get(name)),
        java.nio.charset.StandardCharsets.UTF_8);
  }
}
