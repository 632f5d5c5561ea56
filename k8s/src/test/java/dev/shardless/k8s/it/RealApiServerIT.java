package dev.shardless.k8s.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.shardless.k8s.Conventions;
import dev.shardless.k8s.testing.KubeApiServer;
import dev.shardless.k8s.testing.StandInKubelet;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real test tier's own check: a real kube-apiserver, etcd and kube-controller-manager ({@link
 * KubeApiServer}) with the {@link StandInKubelet} run a Deployment's pods as local processes, and
 * the real controllers scale and garbage-collect them; custom resources work (the reflect2 pitfall
 * of DESIGN.md §5 is fixed in the build).
 */
class RealApiServerIT {
  private static final Logger log = LoggerFactory.getLogger(RealApiServerIT.class);
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static final String FUNCTION = "echo";
  private static final Path EXAMPLE = Path.of("..", "examples", "python-hello", "handler.py");

  private static KubeApiServer api;
  private static KubernetesClient client;
  private static StandInKubelet kubelet;
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Per test, so that a skip (no control plane here) is reported on each test with its reason. */
  @BeforeEach
  void controlPlaneAndKubelet() {
    api = KubeApiServer.sharedOrSkip();
    client = api.client();
    if (kubelet == null) {
      kubelet = StandInKubelet.start(client, KubeApiServer.NODE_NAME);
    }
  }

  @AfterAll
  static void stop() {
    if (kubelet != null) {
      kubelet.close();
    }
  }

  @Test
  void deploymentPodsRunAsProcessesScaleAndAreGarbageCollected() throws IOException {
    String command = copyOfExample();
    String ns = namespace("it-deploy");

    long created = System.nanoTime();
    client.apps().deployments().inNamespace(ns).resource(deployment(command)).create();

    await("the deployment controller's ReplicaSet")
        .atMost(WAIT)
        .until(() -> !replicaSets(ns).isEmpty());
    List<Pod> first = awaitReadyPods(ns, 1);
    log.info(
        "Deployment created to pod Ready: {} ms",
        Duration.ofNanos(System.nanoTime() - created).toMillis());
    String ip = first.get(0).getStatus().getPodIP();
    assertThat(ip).startsWith("127.").isNotEqualTo("127.0.0.1");
    assertThat(get(ip)).contains("Hello from Python");
    assertThat(processesRunning(command)).isEqualTo(1);

    client.apps().deployments().inNamespace(ns).withName(FUNCTION).scale(2);
    List<Pod> two = awaitReadyPods(ns, 2);
    Set<String> ips = two.stream().map(p -> p.getStatus().getPodIP()).collect(Collectors.toSet());
    assertThat(ips).hasSize(2).contains(ip);
    ips.forEach(each -> assertThat(get(each)).contains("Hello from Python"));
    assertThat(processesRunning(command)).isEqualTo(2);

    client.apps().deployments().inNamespace(ns).withName(FUNCTION).scale(0);
    await("pods removed").atMost(WAIT).until(() -> pods(ns).isEmpty());
    await("processes stopped").atMost(WAIT).until(() -> processesRunning(command) == 0);
    ips.forEach(each -> assertThat(accepts(each)).as("pod address %s", each).isFalse());

    client.apps().deployments().inNamespace(ns).withName(FUNCTION).delete();
    await("ReplicaSet garbage-collected").atMost(WAIT).until(() -> replicaSets(ns).isEmpty());
    client.namespaces().withName(ns).delete();
  }

  @Test
  void aLostProcessIsRestartedAndItsPodIsReadyAgain() throws IOException {
    String command = copyOfExample();
    String ns = namespace("it-restart");
    client.apps().deployments().inNamespace(ns).resource(deployment(command)).create();
    Pod pod = awaitReadyPods(ns, 1).get(0);
    String ip = pod.getStatus().getPodIP();

    processes(command).forEach(ProcessHandle::destroyForcibly);

    Pod restarted =
        await("the pod restarted and Ready again")
            .atMost(WAIT)
            .until(
                () -> client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).get(),
                p ->
                    ready(p) && p.getStatus().getContainerStatuses().get(0).getRestartCount() == 1);
    assertThat(restarted.getStatus().getPodIP()).isEqualTo(ip);
    assertThat(restarted.getStatus().getContainerStatuses().get(0).getLastState().getTerminated())
        .isNotNull();
    assertThat(get(ip)).contains("Hello from Python");
    assertThat(processesRunning(command)).isEqualTo(1);

    client.namespaces().withName(ns).delete();
    await("processes stopped with their namespace")
        .atMost(WAIT)
        .until(() -> processesRunning(command) == 0);
  }

  @Test
  void aClassicFunctionPodForksItsCommandPerRequest() {
    String ns = namespace("it-classic");
    Pod pod = functionPod("cat", Map.of());
    client.pods().inNamespace(ns).resource(pod).create();

    String ip = awaitReadyPods(ns, 1).get(0).getStatus().getPodIP();

    assertThat(post(ip, "ping")).isEqualTo("ping");
    client.namespaces().withName(ns).delete();
  }

  @Test
  void aPodWithoutFprocessIsNeverStartedAndItsDeletionIsFinished() {
    String ns = namespace("it-nofprocess");
    Pod pod = functionPod("", Map.of());
    client.pods().inNamespace(ns).resource(pod).create();

    Pod waiting =
        await("the pod bound and waiting")
            .atMost(WAIT)
            .until(
                () -> client.pods().inNamespace(ns).withName(FUNCTION).get(),
                p ->
                    p.getStatus() != null
                        && !p.getStatus().getContainerStatuses().isEmpty()
                        && p.getStatus().getContainerStatuses().get(0).getState().getWaiting()
                            != null);
    assertThat(waiting.getSpec().getNodeName()).isEqualTo(KubeApiServer.NODE_NAME);
    assertThat(waiting.getStatus().getPhase()).isEqualTo("Pending");
    assertThat(
            waiting.getStatus().getContainerStatuses().get(0).getState().getWaiting().getReason())
        .isEqualTo("NoFprocess");
    assertThat(ready(waiting)).isFalse();

    client.pods().inNamespace(ns).withName(FUNCTION).delete();
    await("the deletion finished by the kubelet")
        .atMost(WAIT)
        .until(() -> client.pods().inNamespace(ns).withName(FUNCTION).get() == null);
    client.namespaces().withName(ns).delete();
  }

  @Test
  void rbacDecidesWhatAServiceAccountMayDo() {
    String ns = namespace("it-rbac");
    client
        .serviceAccounts()
        .inNamespace(ns)
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName("reader").endMetadata().build())
        .create();
    try (KubernetesClient reader =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(api.kubeconfigAs(ns, "reader").toFile()))
            .build()) {
      assertThatThrownBy(() -> reader.pods().inNamespace(ns).list())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));

      client
          .rbac()
          .roleBindings()
          .inNamespace(ns)
          .resource(
              new RoleBindingBuilder()
                  .withNewMetadata()
                  .withName("reader-view")
                  .endMetadata()
                  .withNewRoleRef()
                  .withApiGroup("rbac.authorization.k8s.io")
                  .withKind("ClusterRole")
                  .withName("view")
                  .endRoleRef()
                  .addNewSubject()
                  .withKind("ServiceAccount")
                  .withName("reader")
                  .withNamespace(ns)
                  .endSubject()
                  .build())
          .create();

      await("the binding takes effect")
          .atMost(WAIT)
          .ignoreException(KubernetesClientException.class)
          .until(() -> reader.pods().inNamespace(ns).list().getItems().isEmpty());
      assertThatThrownBy(() -> reader.pods().inNamespace("default").list())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    }
    client.namespaces().withName(ns).delete();
  }

  @Test
  void customResourcesAreStoredValidatedAndListed() {
    String ns = namespace("it-crd");
    String group = "it.shardless.dev";
    CustomResourceDefinition crd = widgetCrd(group);
    client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    await("CRD established")
        .atMost(WAIT)
        .until(
            () -> {
              CustomResourceDefinition c =
                  client
                      .apiextensions()
                      .v1()
                      .customResourceDefinitions()
                      .withName(crd.getMetadata().getName())
                      .get();
              return c.getStatus() != null
                  && c.getStatus().getConditions().stream()
                      .anyMatch(
                          k -> "Established".equals(k.getType()) && "True".equals(k.getStatus()));
            });
    String kind = crd.getSpec().getNames().getKind();
    var widgets = client.genericKubernetesResources(group + "/v1", kind).inNamespace(ns);

    widgets.resource(widget(group, kind, "w1", 3)).create();

    GenericKubernetesResource read = widgets.withName("w1").get();
    assertThat(read.<Integer>get("spec", "size")).isEqualTo(3);
    assertThat(api.kubectl("get", "widgets", "-n", ns, "-o", "name")).contains("/w1");
    GenericKubernetesResource bad = widget(group, kind, "w2", 3);
    bad.setAdditionalProperty("spec", Map.of("size", "big"));
    assertThatThrownBy(() -> widgets.resource(bad).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getMessage()).contains("spec.size"));

    client.apiextensions().v1().customResourceDefinitions().resource(crd).delete();
    client.namespaces().withName(ns).delete();
  }

  /**
   * The HTTP-mode Python example, copied to a path of its own so that this test's processes are
   * told apart from any other run's by their command line; skips when the example is absent.
   */
  private static String copyOfExample() throws IOException {
    Assumptions.assumeTrue(Files.isRegularFile(EXAMPLE), "the example " + EXAMPLE + " is absent");
    Path handler = Path.of("target", "it-functions", UUID.randomUUID().toString(), "handler.py");
    Files.createDirectories(handler.getParent());
    Files.copy(EXAMPLE, handler);
    return handler.toAbsolutePath().toString();
  }

  private static String namespace(String prefix) {
    String ns = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    return ns;
  }

  private static Deployment deployment(String handler) {
    Map<String, String> labels = Map.of(Conventions.FUNCTION_LABEL, FUNCTION);
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(FUNCTION)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .withNewSelector()
        .withMatchLabels(labels)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName(FUNCTION)
        .withImage("local/python-hello:latest")
        .addNewEnv()
        .withName(Conventions.FPROCESS_ENV)
        .withValue("python3 " + handler)
        .endEnv()
        .addNewEnv()
        .withName("mode")
        .withValue("http")
        .endEnv()
        .addNewPort()
        .withName(Conventions.FUNCTION_PORT_NAME)
        .withContainerPort(Conventions.FUNCTION_PORT)
        .endPort()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /** A bare pod labelled as the function, running {@code fprocess} (none when blank). */
  private static Pod functionPod(String fprocess, Map<String, String> env) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(FUNCTION)
            .addToLabels(Conventions.FUNCTION_LABEL, FUNCTION)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName(FUNCTION)
            .withImage("local/" + FUNCTION + ":latest")
            .endContainer()
            .endSpec()
            .build();
    var container = pod.getSpec().getContainers().get(0);
    if (!fprocess.isBlank()) {
      container.getEnv().add(new EnvVar(Conventions.FPROCESS_ENV, fprocess, null));
    }
    env.forEach((k, v) -> container.getEnv().add(new EnvVar(k, v, null)));
    return pod;
  }

  private static CustomResourceDefinition widgetCrd(String group) {
    JSONSchemaProps spec =
        new JSONSchemaPropsBuilder()
            .withType("object")
            .addToProperties("size", new JSONSchemaPropsBuilder().withType("integer").build())
            .build();
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata()
        .withName("widgets." + group)
        .endMetadata()
        .withNewSpec()
        .withGroup(group)
        .withScope("Namespaced")
        .withNewNames()
        .withPlural("widgets")
        .withSingular("widget")
        .withKind("Widget")
        .endNames()
        .addNewVersion()
        .withName("v1")
        .withServed(true)
        .withStorage(true)
        .withNewSchema()
        .withNewOpenAPIV3Schema()
        .withType("object")
        .addToProperties("spec", spec)
        .endOpenAPIV3Schema()
        .endSchema()
        .endVersion()
        .endSpec()
        .build();
  }

  private static GenericKubernetesResource widget(
      String group, String kind, String name, int size) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(group + "/v1")
        .withKind(kind)
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .addToAdditionalProperties("spec", Map.of("size", size))
        .build();
  }

  private static List<ReplicaSet> replicaSets(String ns) {
    return client.apps().replicaSets().inNamespace(ns).list().getItems();
  }

  private static List<Pod> pods(String ns) {
    return client
        .pods()
        .inNamespace(ns)
        .withLabel(Conventions.FUNCTION_LABEL, FUNCTION)
        .list()
        .getItems();
  }

  private static List<Pod> awaitReadyPods(String ns, int count) {
    return await(count + " Ready pod(s)")
        .atMost(WAIT)
        .until(
            () -> pods(ns).stream().filter(RealApiServerIT::ready).toList(),
            ready -> ready.size() == count);
  }

  private static boolean ready(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() == null
        && pod.getStatus() != null
        && pod.getStatus().getPodIP() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static String get(String ip) {
    try {
      HttpResponse<String> res =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://" + ip + ":" + Conventions.FUNCTION_PORT + "/hello"))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).isEqualTo(200);
      return res.body();
    } catch (IOException e) {
      throw new AssertionError("pod " + ip + " does not answer: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String post(String ip, String body) {
    try {
      HttpResponse<String> res =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://" + ip + ":" + Conventions.FUNCTION_PORT + "/"))
                  .timeout(Duration.ofSeconds(30))
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).isEqualTo(200);
      return res.body();
    } catch (IOException e) {
      throw new AssertionError("pod " + ip + " does not answer: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static boolean accepts(String ip) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(ip, Conventions.FUNCTION_PORT), 5_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static long processesRunning(String handler) {
    return processes(handler).size();
  }

  /** The python processes running {@code handler} (not the sandbox or watcher around them). */
  private static List<ProcessHandle> processes(String handler) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(handler)).orElse(false))
        .filter(p -> p.info().command().map(c -> c.contains("python")).orElse(false))
        .toList();
  }
}
