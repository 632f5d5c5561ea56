package dev.shardless.k8s.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardless.k8s.Conventions;
import dev.shardless.k8s.SpecVersion;
import dev.shardless.k8s.crd.FunctionMapping;
import dev.shardless.k8s.crd.FunctionResource;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.Resources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FunctionObjectsTest {
  private static final FunctionSpec SPEC =
      new FunctionSpec(
          new FunctionId("openfaas-fn", "echo"),
          "ghcr.io/openfaas/echo:1",
          "cat",
          Map.of("mode", "http", "exec_timeout", "90s", "write_timeout", "1m"),
          List.of("kubernetes.io/arch=amd64", "node.platform.os == linux"),
          List.of("api-key", "db"),
          Map.of(
              "team", "a", "com.openfaas.scale.max", "5", "bad label", "x", "long", "y".repeat(64)),
          Map.of("prometheus.io/scrape", "true"),
          new Resources("128Mi", "500m"),
          new Resources("64Mi", null),
          true);

  private static FunctionResource owner(FunctionSpec spec) {
    FunctionResource owner = FunctionMapping.toResource(spec);
    owner.getMetadata().setUid("0b6f-uid");
    return owner;
  }

  @Test
  void deploymentIsOwnedByTheFunctionAndLabelledForOpenFaaS() {
    Deployment d = FunctionObjects.deployment(owner(SPEC), SPEC, null);

    assertThat(d.getMetadata().getName()).isEqualTo("echo");
    assertThat(d.getMetadata().getNamespace()).isEqualTo("openfaas-fn");
    assertThat(d.getMetadata().getLabels())
        .containsOnly(
            Map.entry(Conventions.FUNCTION_LABEL, "echo"),
            Map.entry(Conventions.MANAGED_BY_LABEL, Conventions.MANAGED_BY));
    assertThat(d.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getApiVersion()).isEqualTo("shardless.dev/v1");
              assertThat(o.getKind()).isEqualTo("Function");
              assertThat(o.getName()).isEqualTo("echo");
              assertThat(o.getUid()).isEqualTo("0b6f-uid");
              assertThat(o.getController()).isTrue();
              assertThat(o.getBlockOwnerDeletion()).isTrue();
            });
    assertThat(d.getSpec().getSelector().getMatchLabels())
        .containsOnly(Map.entry(Conventions.FUNCTION_LABEL, "echo"));
    assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(Conventions.FUNCTION_LABEL, "echo")
        .containsEntry(Conventions.MANAGED_BY_LABEL, Conventions.MANAGED_BY)
        .containsEntry("team", "a")
        .containsEntry("com.openfaas.scale.max", "5")
        .doesNotContainKeys("bad label", "long");
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsKey(Conventions.SPEC_VERSION_ANNOTATION);
  }

  @Test
  void newDeploymentStartsAtZeroAndAnExistingOneKeepsItsReplicas() {
    assertThat(FunctionObjects.deployment(owner(SPEC), SPEC, null).getSpec().getReplicas())
        .isZero();
    assertThat(FunctionObjects.deployment(owner(SPEC), SPEC, 7).getSpec().getReplicas())
        .isEqualTo(7);
  }

  @Test
  void replicasDoNotChangeTheSpecHashButTheImageDoes() {
    FunctionSpec v2 =
        new FunctionSpec(
            SPEC.id(),
            "ghcr.io/openfaas/echo:2",
            SPEC.envProcess(),
            SPEC.envVars(),
            SPEC.constraints(),
            SPEC.secrets(),
            SPEC.labels(),
            SPEC.annotations(),
            SPEC.limits(),
            SPEC.requests(),
            SPEC.readOnlyRootFilesystem());
    String hash = hash(FunctionObjects.deployment(owner(SPEC), SPEC, null));

    assertThat(hash(FunctionObjects.deployment(owner(SPEC), SPEC, 4))).isEqualTo(hash);
    assertThat(hash(FunctionObjects.deployment(owner(v2), v2, null))).isNotEqualTo(hash);
  }

  private static String hash(Deployment d) {
    return d.getMetadata().getAnnotations().get(FunctionObjects.SPEC_HASH_ANNOTATION);
  }

  @Test
  void containerRunsTheImageBehindTheWatchdogPortWithItsSettings() {
    PodSpec pod =
        FunctionObjects.deployment(owner(SPEC), SPEC, null).getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);

    assertThat(pod.getContainers()).hasSize(1);
    assertThat(c.getName()).isEqualTo("function");
    assertThat(c.getImage()).isEqualTo("ghcr.io/openfaas/echo:1");
    assertThat(c.getEnv())
        .containsExactly(
            new EnvVar("exec_timeout", "90s", null),
            new EnvVar("mode", "http", null),
            new EnvVar("write_timeout", "1m", null),
            new EnvVar("fprocess", "cat", null));
    assertThat(c.getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getContainerPort()).isEqualTo(8080);
              assertThat(p.getName()).isEqualTo("http");
            });
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/_/health");
    assertThat(c.getReadinessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString("http"));
    assertThat(c.getResources().getLimits())
        .containsOnly(
            Map.entry("memory", new Quantity("128Mi")), Map.entry("cpu", new Quantity("500m")));
    assertThat(c.getResources().getRequests())
        .containsOnly(Map.entry("memory", new Quantity("64Mi")));
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(pod.getNodeSelector()).containsOnly(Map.entry("kubernetes.io/arch", "amd64"));
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(92L);
  }

  @Test
  void secretsAreAProjectedVolumeMountedReadOnlyWhereOpenFaaSFunctionsReadThem() {
    PodSpec pod =
        FunctionObjects.deployment(owner(SPEC), SPEC, null).getSpec().getTemplate().getSpec();

    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/var/openfaas/secrets");
              assertThat(m.getReadOnly()).isTrue();
              assertThat(m.getName()).isEqualTo("echo-projected-secrets");
            })
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    assertThat(pod.getVolumes())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo("echo-projected-secrets");
              assertThat(v.getProjected().getSources())
                  .extracting(s -> s.getSecret().getName())
                  .containsExactly("api-key", "db");
            })
        .anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
  }

  @Test
  void minimalSpecBuildsNoVolumesNoSelectorAndTheDefaultGracePeriod() {
    FunctionSpec minimal =
        new FunctionSpec(
            new FunctionId("fn", "tiny"),
            "tiny:1",
            null,
            Map.of("exec_timeout", "5s"),
            null,
            null,
            null,
            null,
            null,
            null,
            false);
    PodSpec pod =
        FunctionObjects.deployment(owner(minimal), minimal, null).getSpec().getTemplate().getSpec();

    assertThat(pod.getVolumes()).isEmpty();
    assertThat(pod.getNodeSelector()).isNullOrEmpty();
    assertThat(pod.getContainers().get(0).getEnv())
        .containsExactly(new EnvVar("exec_timeout", "5s", null));
    assertThat(pod.getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem())
        .isFalse();
    assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(30L);
  }

  @Test
  void serviceIsAClusterIpOnTheFunctionPortOwnedByTheFunction() {
    Service s = FunctionObjects.service(owner(SPEC), SPEC);

    assertThat(s.getMetadata().getName()).isEqualTo("echo");
    assertThat(s.getMetadata().getOwnerReferences().get(0).getUid()).isEqualTo("0b6f-uid");
    assertThat(s.getMetadata().getLabels())
        .containsEntry(Conventions.MANAGED_BY_LABEL, Conventions.MANAGED_BY);
    assertThat(s.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(s.getSpec().getSelector())
        .containsOnly(Map.entry(Conventions.FUNCTION_LABEL, "echo"));
    ServicePort port = s.getSpec().getPorts().get(0);
    assertThat(port.getPort()).isEqualTo(8080);
    assertThat(port.getName()).isEqualTo("http");
    assertThat(port.getTargetPort()).isEqualTo(new IntOrString("http"));
  }

  @Test
  void everyPodCarriesTheVersionOfTheSpecItWasBuiltFrom() {
    Map<String, String> annotations =
        FunctionObjects.deployment(owner(SPEC), SPEC, null)
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getAnnotations();

    assertThat(annotations)
        .containsOnly(
            Map.entry("prometheus.io/scrape", "true"),
            Map.entry(Conventions.SPEC_VERSION_ANNOTATION, SpecVersion.of(SPEC)));
  }

  @Test
  void aUserAnnotationCannotForgeThePodsSpecVersion() {
    FunctionSpec forged =
        withLabelsAndAnnotations(
            SPEC.labels(), Map.of(Conventions.SPEC_VERSION_ANNOTATION, "0000000000000000"));

    assertThat(template(forged).getMetadata().getAnnotations())
        .containsOnly(Map.entry(Conventions.SPEC_VERSION_ANNOTATION, SpecVersion.of(forged)));
  }

  @Test
  void anyChangedSpecChangesThePodTemplateSoTheDeploymentRollsOut() {
    // "bad label" is no valid pod label: only the spec version shows this change on the pods
    Map<String, String> labels = new HashMap<>(SPEC.labels());
    labels.put("bad label", "z");
    FunctionSpec v2 = withLabelsAndAnnotations(labels, SPEC.annotations());

    assertThat(template(v2).getMetadata().getLabels())
        .isEqualTo(template(SPEC).getMetadata().getLabels());
    assertThat(template(v2).getMetadata().getAnnotations())
        .containsEntry(Conventions.SPEC_VERSION_ANNOTATION, SpecVersion.of(v2))
        .doesNotContainEntry(Conventions.SPEC_VERSION_ANNOTATION, SpecVersion.of(SPEC));
    assertThat(hash(FunctionObjects.deployment(owner(v2), v2, 3)))
        .isNotEqualTo(hash(FunctionObjects.deployment(owner(SPEC), SPEC, 3)));
  }

  @Test
  void anUnchangedSpecRebuildsTheSameTemplateSoNothingRollsOut() {
    // an equal spec, its maps built in another order (as read back from the registry or the API)
    FunctionSpec same =
        withLabelsAndAnnotations(
            new TreeMap<>(SPEC.labels()).descendingMap(), new HashMap<>(SPEC.annotations()));

    assertThat(template(same)).isEqualTo(template(SPEC));
    assertThat(hash(FunctionObjects.deployment(owner(same), same, 5)))
        .isEqualTo(hash(FunctionObjects.deployment(owner(SPEC), SPEC, null)));
  }

  private static PodTemplateSpec template(FunctionSpec spec) {
    return FunctionObjects.deployment(owner(spec), spec, null).getSpec().getTemplate();
  }

  private static FunctionSpec withLabelsAndAnnotations(
      Map<String, String> labels, Map<String, String> annotations) {
    return new FunctionSpec(
        SPEC.id(),
        SPEC.image(),
        SPEC.envProcess(),
        SPEC.envVars(),
        SPEC.constraints(),
        SPEC.secrets(),
        labels,
        annotations,
        SPEC.limits(),
        SPEC.requests(),
        SPEC.readOnlyRootFilesystem());
  }

  @Test
  void buildingIsPure() {
    assertThat(FunctionObjects.deployment(owner(SPEC), SPEC, 2))
        .isEqualTo(FunctionObjects.deployment(owner(SPEC), SPEC, 2));
    assertThat(FunctionObjects.service(owner(SPEC), SPEC))
        .isEqualTo(FunctionObjects.service(owner(SPEC), SPEC));
  }
}
