package dev.shardless.k8s.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shardless.k8s.Conventions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifests in {@code k8s/deploy} as {@code kubectl apply -k} would send them: rendered by
 * {@code kubectl kustomize} (skipped when kubectl is not installed), parsed into fabric8's model,
 * and checked for what docs/kubernetes.md promises.
 *
 * <p>{@code base/function-crd.yaml} is owned by the CRD's own work; while it is missing from the
 * checkout, {@code -Dshardless.test.function-crd=FILE} names a stand-in (copied into the temporary
 * render directory, never into the repository), otherwise the test is skipped with a message.
 */
class ManifestsTest {
  private static final Path DEPLOY = Path.of("deploy");
  private static final String CRD_FILE = "function-crd.yaml";
  private static final String PLATFORM = "shardless";
  private static final String FUNCTIONS = "openfaas-fn";
  private static final Map<String, String> POD_LABELS = Map.of("app", "shardless");

  private static List<HasMetadata> base;
  private static List<HasMetadata> dev;

  @BeforeAll
  static void render(@TempDir Path work) throws IOException, InterruptedException {
    Optional<Path> kubectl = kubectl();
    assumeTrue(kubectl.isPresent(), "kubectl not on PATH: manifests not rendered, test skipped");
    copyTree(DEPLOY, work);
    Path crd = work.resolve("base").resolve(CRD_FILE);
    if (!Files.exists(crd)) {
      String standIn = System.getProperty("shardless.test.function-crd");
      assumeTrue(
          standIn != null,
          "deploy/base/"
              + CRD_FILE
              + " not there yet: skipped (or name a stand-in with"
              + " -Dshardless.test.function-crd=FILE)");
      Files.copy(Path.of(standIn), crd);
    }
    base = kustomize(kubectl.get(), work.resolve("base"));
    dev = kustomize(kubectl.get(), work.resolve("overlays/dev"));
  }

  @Test
  void baseHoldsEveryObjectOfThePlatformAndNothingElse() {
    assertThat(ids(base))
        .containsExactlyInAnyOrder(
            "CustomResourceDefinition//functions.shardless.dev",
            "Namespace//shardless",
            "Namespace//openfaas-fn",
            "ServiceAccount/shardless/shardless",
            "Role/shardless/shardless-discovery",
            "RoleBinding/shardless/shardless-discovery",
            "Role/openfaas-fn/shardless-functions",
            "RoleBinding/openfaas-fn/shardless-functions",
            "ConfigMap/shardless/shardless-config",
            "Deployment/shardless/shardless",
            "Service/shardless/gateway",
            "PodDisruptionBudget/shardless/shardless");
  }

  @Test
  void crdIsTheFunctionResource() {
    CustomResourceDefinition crd = one(base, CustomResourceDefinition.class, "");
    assertThat(crd.getSpec().getGroup()).isEqualTo(Conventions.GROUP);
    assertThat(crd.getSpec().getNames().getPlural()).isEqualTo(Conventions.PLURAL);
    assertThat(crd.getSpec().getVersions()).anyMatch(v -> v.getName().equals(Conventions.VERSION));
  }

  @Test
  void devOverlayAddsASingleNodeCassandraAtTheConfiguredContactPoint() {
    assertThat(ids(dev))
        .containsAll(ids(base))
        .contains("StatefulSet/shardless/cassandra", "Service/shardless/cassandra");
    StatefulSet cassandra = one(dev, StatefulSet.class, "cassandra");
    assertThat(cassandra.getSpec().getReplicas()).isEqualTo(1);
    assertThat(cassandra.getSpec().getTemplate().getMetadata().getLabels())
        .as("the platform's discovery must not take Cassandra for a node")
        .doesNotContainKey("app");
    Service service = one(dev, Service.class, "cassandra");
    assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(service.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(9042);
    ConfigMap config = one(dev, ConfigMap.class, "shardless-config");
    assertThat(config.getData())
        .containsEntry("cassandra-contact-points", "cassandra.shardless.svc:9042")
        .containsEntry("cassandra-replication-factor", "1");
    assertThat(one(base, ConfigMap.class, "shardless-config").getData())
        .containsEntry("cassandra-replication-factor", "3");
  }

  @Test
  void deploymentRunsThreeNodesThatFindEachOtherThroughTheKubernetesApi() {
    Deployment deployment = one(base, Deployment.class, "shardless");
    var pod = deployment.getSpec().getTemplate();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
    assertThat(pod.getMetadata().getLabels()).containsAllEntriesOf(POD_LABELS);
    assertThat(deployment.getSpec().getSelector().getMatchLabels()).isEqualTo(POD_LABELS);
    assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("shardless");
    // Above the worst case of the node's shutdown: 35 s of request drain, 60 s of hand-off.
    assertThat(pod.getSpec().getTerminationGracePeriodSeconds()).isGreaterThan(95L);
    assertThat(pod.getSpec().getTopologySpreadConstraints())
        .anyMatch(c -> c.getTopologyKey().equals("kubernetes.io/hostname"));
    Container node = pod.getSpec().getContainers().get(0);
    assertThat(node.getImage()).isEqualTo("shardless/shardless:0.1.0");
    assertThat(node.getLifecycle()).as("SIGTERM runs coordinated shutdown").isNull();
    Map<String, EnvVar> env = env(node);
    assertThat(value(env, "SHARDLESS_PLATFORM")).isEqualTo("kubernetes");
    assertThat(value(env, "SHARDLESS_DISCOVERY")).isEqualTo("kubernetes-api");
    assertThat(value(env, "SHARDLESS_PERSISTENCE")).isEqualTo("cassandra");
    for (String address : List.of("SHARDLESS_CLUSTER_HOST", "SHARDLESS_MANAGEMENT_HOST")) {
      assertThat(env.get(address).getValueFrom().getFieldRef().getFieldPath())
          .as(address)
          .isEqualTo("status.podIP");
    }
    ConfigMap config = one(base, ConfigMap.class, "shardless-config");
    for (String fromConfig :
        List.of("SHARDLESS_CASSANDRA_CONTACT_POINTS", "SHARDLESS_CASSANDRA_DATACENTER")) {
      var ref = env.get(fromConfig).getValueFrom().getConfigMapKeyRef();
      assertThat(ref.getName()).as(fromConfig).isEqualTo("shardless-config");
      assertThat(config.getData()).as(fromConfig).containsKey(ref.getKey());
    }
    for (String secret : List.of("SHARDLESS_ADMIN_PASSWORD", "SHARDLESS_SECRETS_KEY")) {
      assertThat(env.get(secret).getValue()).as(secret + " never in plain text").isNull();
      assertThat(env.get(secret).getValueFrom().getSecretKeyRef().getName())
          .isEqualTo("shardless-credentials");
    }
  }

  @Test
  void portsAndProbesMatchTheNodeSettings() {
    Deployment deployment = one(base, Deployment.class, "shardless");
    Container node = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, Integer> ports =
        node.getPorts().stream()
            .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
    assertThat(ports)
        .containsEntry("http", 8080)
        .containsEntry("management", 7626)
        .containsEntry("metrics", 9095)
        .containsKey("remoting");
    Map<String, EnvVar> env = env(node);
    assertThat(value(env, "SHARDLESS_MANAGEMENT_PORT")).isEqualTo("7626");
    assertThat(value(env, "SHARDLESS_METRICS_PORT")).isEqualTo("9095");
    assertThat(value(env, "SHARDLESS_METRICS_HOST")).isEqualTo("0.0.0.0");
    assertThat(value(env, "SHARDLESS_CLUSTER_PORT")).isEqualTo(ports.get("remoting").toString());
    assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", "9095");
    assertProbe(node.getReadinessProbe(), "/health/ready", ports);
    assertProbe(node.getLivenessProbe(), "/health/alive", ports);
  }

  @Test
  void gatewayServiceAndDisruptionBudgetSelectThePlatformPods() {
    Map<String, String> labels =
        one(base, Deployment.class, "shardless").getSpec().getTemplate().getMetadata().getLabels();
    Service gateway = one(base, Service.class, "gateway");
    assertThat(gateway.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(labels).containsAllEntriesOf(gateway.getSpec().getSelector());
    ServicePort port = gateway.getSpec().getPorts().get(0);
    assertThat(port.getPort()).isEqualTo(8080);
    assertThat(port.getTargetPort().getStrVal()).isEqualTo("http");
    PodDisruptionBudget pdb = one(base, PodDisruptionBudget.class, "shardless");
    assertThat(pdb.getApiVersion()).isEqualTo("policy/v1");
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(labels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
  }

  @Test
  void rbacIsNamespacedAndLeastPrivilege() {
    assertThat(base)
        .as("nothing cluster-wide, no committed Secret")
        .noneMatch(
            o -> Set.of("ClusterRole", "ClusterRoleBinding", "Secret").contains(o.getKind()));
    assertThat(rules(one(base, Role.class, "shardless-discovery")))
        .isEqualTo(Map.of("/pods", List.of("get", "list", "watch")));
    List<String> crud = List.of("get", "list", "watch", "create", "update", "patch", "delete");
    assertThat(rules(one(base, Role.class, "shardless-functions")))
        .isEqualTo(
            Map.of(
                "shardless.dev/functions", crud,
                "shardless.dev/functions/status", List.of("get", "update", "patch"),
                "apps/deployments", crud,
                "apps/deployments/scale", List.of("get", "update", "patch"),
                "/services", crud,
                "/pods", List.of("get", "list", "watch", "patch", "delete"),
                "/pods/log", List.of("get"),
                "/secrets", List.of("get", "create", "update", "delete"),
                "/events", List.of("create", "patch")));
    for (Role role : all(base, Role.class)) {
      for (PolicyRule rule : role.getRules()) {
        assertThat(rule.getVerbs()).doesNotContain("*");
        assertThat(rule.getResources()).doesNotContain("*");
        if (rule.getResources().contains("secrets")) {
          assertThat(role.getMetadata().getNamespace())
              .as("function secrets only, in the functions' namespace")
              .isEqualTo(FUNCTIONS);
          assertThat(rule.getVerbs())
              .as("no Secret is ever listed")
              .doesNotContain("list", "watch");
        }
        assertThat(rule.getApiGroups()).doesNotContain("*");
        assertThat(rule.getResourceNames()).isNullOrEmpty();
      }
    }
    for (RoleBinding binding : all(base, RoleBinding.class)) {
      assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
      assertThat(one(base, Role.class, binding.getRoleRef().getName()).getMetadata().getNamespace())
          .isEqualTo(binding.getMetadata().getNamespace());
      assertThat(binding.getSubjects())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.getKind()).isEqualTo("ServiceAccount");
                assertThat(s.getName()).isEqualTo("shardless");
                assertThat(s.getNamespace()).isEqualTo(PLATFORM);
              });
    }
    assertThat(one(base, Role.class, "shardless-functions").getMetadata().getNamespace())
        .isEqualTo(FUNCTIONS);
  }

  private static void assertProbe(Probe probe, String path, Map<String, Integer> ports) {
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("management");
    assertThat(ports).containsKey(probe.getHttpGet().getPort().getStrVal());
  }

  /** Each rule as {@code group/resource} → verbs (one group and one resource per rule here). */
  private static Map<String, List<String>> rules(Role role) {
    Map<String, List<String>> out = new TreeMap<>();
    for (PolicyRule rule : role.getRules()) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          assertThat(out.put(group + "/" + resource, rule.getVerbs()))
              .as("one rule per resource")
              .isNull();
        }
      }
    }
    return out;
  }

  private static Map<String, EnvVar> env(Container container) {
    return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
  }

  private static String value(Map<String, EnvVar> env, String name) {
    assertThat(env).as("environment").containsKey(name);
    return env.get(name).getValue();
  }

  private static List<String> ids(List<HasMetadata> objects) {
    return objects.stream()
        .map(
            o ->
                o.getKind()
                    + "/"
                    + Optional.ofNullable(o.getMetadata().getNamespace()).orElse("")
                    + "/"
                    + o.getMetadata().getName())
        .toList();
  }

  private static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** The object of this type and name; any name when {@code name} is empty and it is alone. */
  private static <T extends HasMetadata> T one(
      List<HasMetadata> objects, Class<T> type, String name) {
    List<T> found =
        all(objects, type).stream()
            .filter(o -> name.isEmpty() || o.getMetadata().getName().equals(name))
            .toList();
    assertThat(found).as(type.getSimpleName() + " " + name).hasSize(1);
    return found.get(0);
  }

  private static List<HasMetadata> kustomize(Path kubectl, Path dir)
      throws IOException, InterruptedException {
    Path errors = Files.createTempFile("kustomize", ".err");
    Process process =
        new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
            .redirectError(errors.toFile())
            .start();
    byte[] out = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize finished").isTrue();
    assertThat(process.exitValue())
        .as("kubectl kustomize %s: %s", dir, Files.readString(errors))
        .isZero();
    Files.delete(errors);
    Object parsed =
        new KubernetesSerialization().unmarshal(new String(out, StandardCharsets.UTF_8));
    List<HasMetadata> objects = new ArrayList<>();
    if (parsed instanceof List<?> list) {
      list.forEach(o -> objects.add((HasMetadata) o));
    } else {
      objects.add((HasMetadata) parsed);
    }
    return objects;
  }

  private static Optional<Path> kubectl() {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    return Stream.concat(Stream.of(path.split(":")), Stream.of("/usr/bin", "/usr/local/bin"))
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, "kubectl"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : files.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
  }
}
