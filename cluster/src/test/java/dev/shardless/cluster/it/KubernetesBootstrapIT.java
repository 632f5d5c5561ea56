package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shardless.k8s.testing.KubeApiServer;
import dev.shardless.k8s.testing.StandInKubelet;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three platform nodes forming one Pekko Cluster through Cluster Bootstrap with {@code
 * kubernetes-api} discovery against a real kube-apiserver (the k8s test harness), with the
 * manifests' service account and RBAC, on the real Cassandra, in Kubernetes mode (the Function
 * operator a cluster singleton).
 *
 * <p>Real: the API server, its RBAC, Pekko's discovery listing pods with the service account's
 * token and CA, Bootstrap's probing of the contact points, the cluster, the operator's Deployments
 * and the function pods' lifecycle. Stood in: the platform pods are Pod objects this test creates
 * and marks Running with a loopback podIP each ({@code 127.0.20.1-3}), bound to a node no kubelet
 * serves; the node JVM "in" each pod binds its cluster and management ports on that address (the
 * same ports on every pod, as in the manifests). Discovery reads the API server address from {@code
 * KUBERNETES_SERVICE_HOST/PORT} and the token, CA and namespace from files, as in a pod, only the
 * files' paths point into the test directory (system properties). The manifests' own platform
 * Deployment is scaled to zero: these pods take its place. Function pods run under the {@link
 * StandInKubelet}.
 *
 * <p>Measured times are printed ("bootstrap: ..."); none is asserted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesBootstrapIT {
  private static final String PLATFORM_NS = "shardless";
  private static final String NS = "openfaas-fn";
  private static final String PLATFORM_NODE = "platform-node";
  private static final List<String> IPS = List.of("127.0.20.1", "127.0.20.2", "127.0.20.3");
  private static final Path DEPLOY = Path.of("..", "k8s", "deploy").toAbsolutePath().normalize();
  private static final String OPERATOR_STARTED = "function operator started on this node";
  private static final Duration LONG = Duration.ofMinutes(3);
  private static final Pattern JOINING =
      Pattern.compile(
          "(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*Joining the cluster through Cluster Bootstrap");

  private final HttpClient http = HttpClient.newHttpClient();
  private final NodeProcess[] nodes = new NodeProcess[3];
  private final Api[] apis = new Api[3];
  private KubeApiServer api;
  private KubernetesClient admin;
  private StandInKubelet kubelet;
  private Path dir;
  private int managementPort;

  @BeforeAll
  void start() throws Exception {
    api = KubeApiServer.sharedOrSkip();
    admin = api.client();
    kubelet = StandInKubelet.start(admin, KubeApiServer.NODE_NAME);
    dir = Files.createTempDirectory("shardless-k8s-bootstrap-");
    KubeCluster.applyManifests(api, dir);
    api.kubectl("scale", "deployment/shardless", "-n", PLATFORM_NS, "--replicas=0");
    registerPlatformNode();

    managementPort = portFreeOnEveryPod();
    int clusterPort = portFreeOnEveryPod();
    for (int i = 0; i < 3; i++) {
      createPlatformPod(i, clusterPort);
    }
    Map<String, String> env = new HashMap<>(CassandraBackend.env());
    env.putAll(inPodEnvironment());
    env.put("SHARDLESS_PLATFORM", "kubernetes");
    env.put("SHARDLESS_DISCOVERY", "kubernetes-api");
    env.put("SHARDLESS_SANDBOX", "none");
    env.put("SHARDLESS_CLUSTER_PORT", Integer.toString(clusterPort));
    env.put("SHARDLESS_MANAGEMENT_PORT", Integer.toString(managementPort));

    long t0 = System.nanoTime();
    List<CompletableFuture<Void>> starts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int n = i;
      Map<String, String> own = new HashMap<>(env);
      own.put("SHARDLESS_CLUSTER_HOST", IPS.get(n));
      own.put("SHARDLESS_MANAGEMENT_HOST", IPS.get(n));
      starts.add(CompletableFuture.runAsync(() -> startNode(n, own)));
    }
    starts.forEach(CompletableFuture::join);
    awaitUpMembers(3, List.of(0, 1, 2));
    LocalTime up = LocalTime.now();
    LocalTime lastJoining = LocalTime.MIN;
    for (NodeProcess node : nodes) {
      Matcher m = JOINING.matcher(node.output());
      if (m.find() && LocalTime.parse(m.group(1)).isAfter(lastJoining)) {
        lastJoining = LocalTime.parse(m.group(1));
      }
    }
    System.out.printf(
        "bootstrap: 3 nodes Up in one cluster %d ms after their JVMs were started, %d ms after"
            + " the last of them started Cluster Bootstrap%n",
        (System.nanoTime() - t0) / 1_000_000, Duration.between(lastJoining, up).toMillis());
  }

  @AfterAll
  void stop() {
    if (admin != null && kubelet != null) {
      KubeCluster.removeFunctions(admin);
    }
    for (NodeProcess node : nodes) {
      if (node != null) {
        node.close();
      }
    }
    if (kubelet != null) {
      kubelet.close();
    }
    if (admin != null) {
      admin
          .pods()
          .inNamespace(PLATFORM_NS)
          .withLabel("shardless-test", "bootstrap")
          .withGracePeriod(0)
          .delete();
    }
  }

  @Test
  @Order(1)
  void threeNodesFormOneClusterThroughBootstrapAtTheirPodAddresses() throws Exception {
    for (int i = 0; i < 3; i++) {
      JsonNode members = members(i);
      List<String> up = new ArrayList<>();
      members.get("members").forEach(m -> up.add(m.get("node").asText()));
      assertThat(up)
          .as("node %d sees the three pods' addresses as members", i)
          .hasSize(3)
          .allSatisfy(a -> assertThat(IPS.stream().anyMatch(a::contains)).isTrue());
      assertThat(members.get("leader").asText()).contains("127.0.20.");
      assertThat(nodes[i].output())
          .contains("Joining the cluster through Cluster Bootstrap (Kubernetes API discovery)");
    }
    assertThat(members(0).get("leader").asText()).isEqualTo(members(2).get("leader").asText());
  }

  @Test
  @Order(2)
  void aFunctionDeployedThroughOneNodeIsReconciledOnceAndServedByEveryGateway() throws Exception {
    HttpResponse<String> r =
        apis[1].system("POST", "/system/functions", Api.probe("boot-hello", "", labels()));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);

    await().atMost(LONG).until(() -> deployment("boot-hello") != null);
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> call = apis[i].invoke("POST", "/function/boot-hello/echo", "via " + i);
      assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
      assertThat(call.body()).contains("via " + i);
    }
    assertThat(
            admin
                .apps()
                .deployments()
                .inNamespace(NS)
                .withLabel("faas_function", "boot-hello")
                .list()
                .getItems())
        .as("one Deployment for the function")
        .hasSize(1);
    assertThat(operatorHosts()).as("the operator runs on exactly one node").hasSize(1);
  }

  @Test
  @Order(3)
  void killDashNineOfTheOperatorsNodeRestartsTheOperatorOnASurvivor() throws Exception {
    List<Integer> hosts = operatorHosts();
    assertThat(hosts).hasSize(1);
    int victim = hosts.get(0);
    List<Integer> survivors = IntStream.range(0, 3).filter(i -> i != victim).boxed().toList();

    long t0 = System.nanoTime();
    nodes[victim].kill9();
    // Kubernetes would replace the pod; the stand-in platform pod just goes.
    admin.pods().inNamespace(PLATFORM_NS).withName(podName(victim)).withGracePeriod(0).delete();
    awaitUpMembers(2, survivors);
    long removed = System.nanoTime();
    await().atMost(LONG).until(() -> !operatorHosts().isEmpty());
    long moved = System.nanoTime();
    assertThat(operatorHosts())
        .as("the operator moved to one survivor")
        .singleElement()
        .isIn(survivors);

    Path yaml = KubeCluster.probeFunctionYaml(dir, "after-failover", 1, 1);
    api.kubectl("apply", "-f", yaml.toString());
    await().atMost(LONG).until(() -> deployment("after-failover") != null);
    long reconciled = System.nanoTime();
    for (int i : survivors) {
      await()
          .atMost(LONG)
          .until(
              () ->
                  apis[i].system("GET", "/system/function/after-failover", null).statusCode()
                      == 200);
      HttpResponse<String> call =
          apis[i].invoke("POST", "/function/after-failover/echo", "after " + i);
      assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
      assertThat(call.body()).contains("after " + i);
      HttpResponse<String> earlier = apis[i].invoke("GET", "/function/boot-hello/echo", null);
      assertThat(earlier.statusCode()).as(earlier.body()).isEqualTo(200);
    }
    System.out.printf(
        "bootstrap: after kill -9 of the operator's node: removed from the cluster in %d ms,"
            + " operator started on a survivor in %d ms, a kubectl-applied Function's Deployment"
            + " built %d ms after the apply%n",
        (removed - t0) / 1_000_000, (moved - t0) / 1_000_000, (reconciled - moved) / 1_000_000);
  }

  private void startNode(int i, Map<String, String> env) {
    try {
      // Liveness bound only: three JVMs starting at once on a small, busy machine are slow.
      nodes[i] = new NodeProcess(dir.resolve("node" + i), env).start(Duration.ofMinutes(4));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    apis[i] = new Api(nodes[i]);
  }

  /**
   * What a pod of the manifests' Deployment has: the service account's token, CA and namespace as
   * files (here in the test directory, named through discovery's path settings) and the API
   * server's address in {@code KUBERNETES_SERVICE_HOST/PORT}. The operator's client uses a
   * kubeconfig for the same service account.
   */
  private Map<String, String> inPodEnvironment() throws IOException {
    Path kubeconfig = api.kubeconfigAs(PLATFORM_NS, "shardless");
    Matcher token =
        Pattern.compile("(?m)^\\s*token:\\s*(\\S+)\\s*$").matcher(Files.readString(kubeconfig));
    assertThat(token.find()).as("token in " + kubeconfig).isTrue();
    Path sa = Files.createDirectories(dir.resolve("serviceaccount"));
    Files.writeString(sa.resolve("token"), token.group(1));
    Files.copy(api.caCertificate(), sa.resolve("ca.crt"));
    Files.writeString(sa.resolve("namespace"), PLATFORM_NS);
    URI server = URI.create(api.url());
    String discovery = "-Dpekko.discovery.kubernetes-api.";
    return Map.of(
        "KUBECONFIG", kubeconfig.toString(),
        "KUBERNETES_SERVICE_HOST", server.getHost(),
        "KUBERNETES_SERVICE_PORT", Integer.toString(server.getPort()),
        "JAVA_TOOL_OPTIONS",
            String.join(
                " ",
                discovery + "api-token-path=" + sa.resolve("token"),
                discovery + "api-ca-path=" + sa.resolve("ca.crt"),
                discovery + "pod-namespace-path=" + sa.resolve("namespace")));
  }

  /** A Node object for the platform pods, so that the pod garbage collector keeps them. */
  private void registerPlatformNode() {
    if (admin.nodes().withName(PLATFORM_NODE).get() == null) {
      admin
          .nodes()
          .resource(
              new NodeBuilder()
                  .withNewMetadata()
                  .withName(PLATFORM_NODE)
                  .addToLabels("kubernetes.io/hostname", PLATFORM_NODE)
                  .endMetadata()
                  .build())
          .create();
    }
  }

  private static String podName(int i) {
    return "shardless-bootstrap-" + i;
  }

  /**
   * A platform pod as the manifests' Deployment makes one (label {@code app=shardless}, container
   * ports {@code management} and {@code remoting}), bound to the platform node and reported Running
   * and Ready at its own loopback address.
   */
  private void createPlatformPod(int i, int clusterPort) {
    String name = podName(i);
    admin.pods().inNamespace(PLATFORM_NS).withName(name).withGracePeriod(0).delete();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> admin.pods().inNamespace(PLATFORM_NS).withName(name).get() == null);
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(PLATFORM_NS)
            .addToLabels("app", "shardless")
            .addToLabels("shardless-test", "bootstrap")
            .endMetadata()
            .withNewSpec()
            .withNodeName(PLATFORM_NODE)
            .withServiceAccountName("shardless")
            .withAutomountServiceAccountToken(false)
            .addNewContainer()
            .withName("shardless")
            .withImage("shardless/shardless:0.1.0")
            .addNewPort()
            .withName("management")
            .withContainerPort(managementPort)
            .endPort()
            .addNewPort()
            .withName("remoting")
            .withContainerPort(clusterPort)
            .endPort()
            .endContainer()
            .endSpec()
            .build();
    admin.pods().inNamespace(PLATFORM_NS).resource(pod).create();
    String now = Instant.now().toString();
    Map<String, Object> status =
        Map.of(
            "phase",
            "Running",
            "podIP",
            IPS.get(i),
            "podIPs",
            List.of(Map.of("ip", IPS.get(i))),
            "hostIP",
            "127.0.0.1",
            "startTime",
            now,
            "conditions",
            List.of(
                Map.of("type", "Ready", "status", "True", "lastTransitionTime", now),
                Map.of("type", "ContainersReady", "status", "True", "lastTransitionTime", now)),
            "containerStatuses",
            List.of(
                Map.of(
                    "name",
                    "shardless",
                    "image",
                    "shardless/shardless:0.1.0",
                    "imageID",
                    "",
                    "ready",
                    true,
                    "started",
                    true,
                    "restartCount",
                    0,
                    "state",
                    Map.of("running", Map.of("startedAt", now)))));
    admin
        .pods()
        .inNamespace(PLATFORM_NS)
        .withName(name)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(Map.of("status", status)));
  }

  /** A port that is free on every platform pod's address (the same on all, as in the manifests). */
  private static int portFreeOnEveryPod() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(IPS.get(0)))) {
        port = s.getLocalPort();
      }
      if (IPS.stream().allMatch(ip -> free(ip, port))) {
        return port;
      }
    }
    throw new IllegalStateException("no port free on all of " + IPS);
  }

  private static boolean free(String ip, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(ip), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String labels() {
    return ScalingIT.labels(1, 1, "");
  }

  private Deployment deployment(String name) {
    return admin.apps().deployments().inNamespace(NS).withName(name).get();
  }

  /** The live nodes whose log says the operator (re)started there last, not stopped since. */
  private List<Integer> operatorHosts() throws IOException {
    List<Integer> hosts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      if (nodes[i] != null && nodes[i].alive()) {
        String out = nodes[i].output();
        if (out.lastIndexOf(OPERATOR_STARTED) > out.lastIndexOf("function operator stopped")) {
          hosts.add(i);
        }
      }
    }
    return hosts;
  }

  /** GET /cluster/members on node {@code i}'s management endpoint, at its pod address. */
  private JsonNode members(int i) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://" + IPS.get(i) + ":" + managementPort + "/cluster/members"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Api.json(r);
  }

  private int upMembers(int i) {
    try {
      int up = 0;
      for (JsonNode m : members(i).get("members")) {
        if ("Up".equals(m.get("status").asText())) {
          up++;
        }
      }
      return up;
    } catch (Exception | AssertionError e) {
      return -1;
    }
  }

  /** Waits until each of {@code which} sees exactly {@code n} members, all Up. */
  private void awaitUpMembers(int n, List<Integer> which) {
    await()
        .atMost(LONG)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> which.stream().allMatch(i -> upMembers(i) == n && memberCount(i) == n));
  }

  private int memberCount(int i) {
    try {
      return members(i).get("members").size();
    } catch (Exception | AssertionError e) {
      return -1;
    }
  }
}
