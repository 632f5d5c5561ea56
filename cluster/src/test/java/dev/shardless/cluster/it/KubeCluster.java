package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shardless.k8s.Conventions;
import dev.shardless.k8s.testing.KubeApiServer;
import dev.shardless.k8s.testing.StandInKubelet;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What the Kubernetes ITs share: the real control plane ({@link KubeApiServer#sharedOrSkip()}), a
 * {@link StandInKubelet} on its node, the manifests of {@code k8s/deploy} applied, and one
 * Shardless node with {@code SHARDLESS_PLATFORM=kubernetes} under the manifests' service account
 * (so its least-privilege RBAC is what it has); plus the look-ups the tests make, as the admin, in
 * the functions' namespace {@link #NS}.
 */
final class KubeCluster implements AutoCloseable {
  static final String NS = "openfaas-fn";
  private static final Path DEPLOY = Path.of("..", "k8s", "deploy").toAbsolutePath().normalize();

  final KubeApiServer api;
  final KubernetesClient admin;
  final Path dir;
  private final StandInKubelet kubelet;
  private NodeProcess node;
  private Api gateway;

  private KubeCluster(KubeApiServer api, StandInKubelet kubelet, Path dir) {
    this.api = api;
    this.admin = api.client();
    this.kubelet = kubelet;
    this.dir = dir;
  }

  /**
   * Starts the kubelet, applies the manifests and starts the node (with fast autoscaling windows);
   * skips the calling test when the real control plane is unavailable.
   */
  static KubeCluster start() throws IOException {
    return start(Map.of());
  }

  /** {@link #start()} with the node's environment {@code env} over the defaults. */
  static KubeCluster start(Map<String, String> env) throws IOException {
    KubeApiServer api = KubeApiServer.sharedOrSkip();
    KubeCluster cluster =
        new KubeCluster(
            api,
            StandInKubelet.start(api.client(), KubeApiServer.NODE_NAME),
            Files.createTempDirectory("shardless-k8s-it-"));
    try {
      applyManifests(api, cluster.dir);
      Map<String, String> nodeEnv =
          new HashMap<>(
              Map.of(
                  "SHARDLESS_PLATFORM", "kubernetes",
                  // The manifests' service account: its least-privilege RBAC is all it has.
                  "KUBECONFIG", api.kubeconfigAs("shardless", "shardless").toString(),
                  "SHARDLESS_AUTOSCALE_INTERVAL", "1s",
                  "SHARDLESS_AUTOSCALE_STABLE_WINDOW", "10s",
                  "SHARDLESS_AUTOSCALE_PANIC_WINDOW", "2s",
                  "SHARDLESS_AUTOSCALE_DOWN_WINDOW", "10s"));
      nodeEnv.putAll(env);
      cluster.node =
          new NodeProcess(cluster.dir.resolve("node"), nodeEnv).start(Duration.ofMinutes(2));
      cluster.gateway = new Api(cluster.node);
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  @Override
  public void close() {
    try {
      removeFunctions(admin);
    } finally {
      if (node != null) {
        node.close();
      }
      kubelet.close();
    }
  }

  /**
   * Writes {@code dir/name.yaml}: a {@code Function} in {@link #NS} running the probe test function
   * in HTTP mode with {@code min..max} replicas, for {@code kubectl apply -f}.
   */
  static Path probeFunctionYaml(Path dir, String name, int min, int max) throws IOException {
    Path yaml = dir.resolve(name + ".yaml");
    Files.writeString(
        yaml,
        String.join(
            "\n",
            "apiVersion: shardless.dev/v1",
            "kind: Function",
            "metadata:",
            "  name: " + name,
            "  namespace: " + NS,
            "spec:",
            "  image: test/probe",
            "  envProcess: python3 " + Api.FUNCTIONS.resolve("probe.py"),
            "  envVars:",
            "    mode: http",
            "  scaling:",
            "    min: " + min,
            "    max: " + max,
            ""));
    return yaml;
  }

  /**
   * Deletes every Function of the functions' namespace and waits until their pods are gone (the
   * garbage collector removes Deployments and pods, the kubelet still running finishes the
   * deletions), so the next test class on the shared API server starts from an empty namespace
   * instead of running the functions, and pods, that this one left.
   */
  static void removeFunctions(KubernetesClient admin) {
    admin
        .genericKubernetesResources(Conventions.API_VERSION, Conventions.KIND)
        .inNamespace(NS)
        .delete();
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                admin
                    .pods()
                    .inNamespace(NS)
                    .withLabel(Conventions.MANAGED_BY_LABEL, Conventions.MANAGED_BY)
                    .list()
                    .getItems()
                    .isEmpty());
  }

  Api gateway() {
    return gateway;
  }

  NodeProcess node() {
    return node;
  }

  /**
   * {@code k8s/deploy/overlays/dev} rendered by kustomize and applied: the CRD, namespaces, service
   * account, RBAC, ConfigMap, the platform Deployment and Services, the development Cassandra. The
   * platform and Cassandra pods stay Pending (the stand-in kubelet runs only functions). The
   * PodDisruptionBudget is left out: it is {@code policy/v1}, which 1.20 does not serve.
   */
  static void applyManifests(KubeApiServer api, Path dir) throws IOException {
    String rendered = api.kubectl("kustomize", DEPLOY.resolve("overlays/dev").toString());
    String applicable =
        Arrays.stream(rendered.split("(?m)^---\\s*$"))
            .filter(doc -> !doc.contains("kind: PodDisruptionBudget"))
            .collect(Collectors.joining("\n---\n"));
    Path file = dir.resolve("manifests.yaml");
    Files.writeString(file, applicable);
    api.kubectl("apply", "-f", file.toString());
    api.kubectl(
        "wait", "--for=condition=Established", "crd/functions.shardless.dev", "--timeout=60s");
  }

  Resource<GenericKubernetesResource> function(String name) {
    return admin
        .genericKubernetesResources("shardless.dev/v1", "Function")
        .inNamespace(NS)
        .withName(name);
  }

  Deployment deployment(String name) {
    return admin.apps().deployments().inNamespace(NS).withName(name).get();
  }

  /** The function's pods that are Ready and not terminating. */
  List<Pod> readyPods(String name) {
    return admin.pods().inNamespace(NS).withLabel("faas_function", name).list().getItems().stream()
        .filter(
            p ->
                p.getMetadata().getDeletionTimestamp() == null
                    && p.getStatus() != null
                    && p.getStatus().getConditions() != null
                    && p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
        .toList();
  }

  int podCount(String name) {
    return admin.pods().inNamespace(NS).withLabel("faas_function", name).list().getItems().size();
  }

  /** The Deployment's desired replicas; -1 without a Deployment. */
  int replicas(String name) {
    Deployment d = deployment(name);
    return d == null || d.getSpec().getReplicas() == null ? -1 : d.getSpec().getReplicas();
  }

  /** {@code GET /system/function/<name>}, asserted 200. */
  JsonNode status(String name) throws Exception {
    HttpResponse<String> r = gateway.system("GET", "/system/function/" + name, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Api.json(r);
  }

  /** Deploys the probe function through the REST API with {@code labels}, asserted 202. */
  void deploy(String name, String labels) throws Exception {
    HttpResponse<String> r =
        gateway.system("POST", "/system/functions", Api.probe(name, "", labels));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
  }
}
