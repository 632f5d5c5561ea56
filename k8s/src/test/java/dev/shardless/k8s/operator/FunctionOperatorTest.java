package dev.shardless.k8s.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.shardless.k8s.Conventions;
import dev.shardless.k8s.crd.FunctionMapping;
import dev.shardless.k8s.crd.FunctionResource;
import dev.shardless.k8s.crd.FunctionScaling;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class FunctionOperatorTest {
  private static final String NS = "openfaas-fn";

  KubernetesClient client;

  private final InMemoryRegistrySync registry = new InMemoryRegistrySync();
  private FunctionOperator operator;

  @BeforeEach
  void installCrd() {
    FunctionOperator.installCrd(client);
  }

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
  }

  private void startOperator() {
    operator = FunctionOperator.start(client, List.of(NS), registry);
  }

  static FunctionSpec spec(String name, String image) {
    return new FunctionSpec(
        new FunctionId(NS, name),
        image,
        "cat",
        Map.of("mode", "http"),
        null,
        null,
        Map.of("team", "a"),
        null,
        null,
        null,
        false);
  }

  private FunctionResource apply(FunctionResource fn) {
    return client.resources(FunctionResource.class).inNamespace(NS).resource(fn).create();
  }

  private FunctionResource function(String name) {
    return client.resources(FunctionResource.class).inNamespace(NS).withName(name).get();
  }

  private Deployment deployment(String name) {
    return client.apps().deployments().inNamespace(NS).withName(name).get();
  }

  private Service service(String name) {
    return client.services().inNamespace(NS).withName(name).get();
  }

  private Condition ready(String name) {
    FunctionResource fn = function(name);
    return fn == null || fn.getStatus() == null ? null : fn.getStatus().condition("Ready");
  }

  @Test
  void functionAppliedThroughTheApiBecomesADeploymentAndServiceOwnedByIt() {
    startOperator();
    FunctionResource created = apply(FunctionMapping.toResource(spec("echo", "echo:1")));

    await().untilAsserted(() -> assertThat(deployment("echo")).isNotNull());
    await().untilAsserted(() -> assertThat(service("echo")).isNotNull());
    Deployment d = deployment("echo");
    assertThat(d.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid());
              assertThat(o.getKind()).isEqualTo("Function");
              assertThat(o.getController()).isTrue();
              assertThat(o.getBlockOwnerDeletion()).isTrue();
            });
    assertThat(d.getMetadata().getLabels())
        .containsEntry(Conventions.FUNCTION_LABEL, "echo")
        .containsEntry(Conventions.MANAGED_BY_LABEL, Conventions.MANAGED_BY);
    assertThat(d.getSpec().getReplicas()).isZero();
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("echo:1");
    assertThat(service("echo").getMetadata().getOwnerReferences().get(0).getUid())
        .isEqualTo(created.getMetadata().getUid());
    await()
        .untilAsserted(
            () ->
                assertThat(registry.get(new FunctionId(NS, "echo")))
                    .contains(spec("echo", "echo:1")));
    await()
        .untilAsserted(
            () -> {
              Condition c = ready("echo");
              assertThat(c).isNotNull();
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo(FunctionStatuses.SCALED_TO_ZERO);
              assertThat(function("echo").getStatus().getObservedGeneration()).isEqualTo(1L);
            });
  }

  @Test
  void specChangeUpdatesTheTemplateAndKeepsTheReplicasTheEntitySet() {
    startOperator();
    apply(FunctionMapping.toResource(spec("echo", "echo:1")));
    await().untilAsserted(() -> assertThat(deployment("echo")).isNotNull());

    client.apps().deployments().inNamespace(NS).withName("echo").scale(3);
    client
        .resources(FunctionResource.class)
        .inNamespace(NS)
        .withName("echo")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"image\":\"echo:2\"}}");

    await()
        .untilAsserted(
            () ->
                assertThat(
                        deployment("echo")
                            .getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getImage())
                    .isEqualTo("echo:2"));
    assertThat(deployment("echo").getSpec().getReplicas()).isEqualTo(3);
    await()
        .untilAsserted(
            () ->
                assertThat(registry.get(new FunctionId(NS, "echo")).orElseThrow().image())
                    .isEqualTo("echo:2"));
    await()
        .untilAsserted(
            () -> {
              FunctionResource fn = function("echo");
              assertThat(fn.getStatus().getObservedGeneration())
                  .isEqualTo(fn.getMetadata().getGeneration());
              assertThat(fn.getStatus().getReplicas()).isEqualTo(3);
            });
  }

  @Test
  void statusFollowsTheDeploymentStatus() {
    startOperator();
    apply(FunctionMapping.toResource(spec("echo", "echo:1")));
    await().untilAsserted(() -> assertThat(deployment("echo")).isNotNull());
    client.apps().deployments().inNamespace(NS).withName("echo").scale(2);
    await()
        .untilAsserted(
            () -> {
              assertThat(function("echo").getStatus().getReplicas()).isEqualTo(2);
              assertThat(ready("echo").getStatus()).isEqualTo("False");
              assertThat(ready("echo").getReason()).isEqualTo(FunctionStatuses.PROGRESSING);
            });

    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName("echo")
        .editStatus(
            d ->
                new DeploymentBuilder(d)
                    .withStatus(
                        new DeploymentStatusBuilder()
                            .withReplicas(2)
                            .withReadyReplicas(1)
                            .withObservedGeneration(d.getMetadata().getGeneration())
                            .build())
                    .build());

    await()
        .untilAsserted(
            () -> {
              FunctionResource fn = function("echo");
              assertThat(fn.getStatus().getReadyReplicas()).isEqualTo(1);
              assertThat(fn.getStatus().getReplicas()).isEqualTo(2);
              assertThat(fn.getStatus().getObservedGeneration())
                  .isEqualTo(fn.getMetadata().getGeneration());
              Condition c = fn.getStatus().condition("Ready");
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo(FunctionStatuses.AVAILABLE);
              assertThat(c.getMessage()).isEqualTo("1 of 2 replicas ready");
              assertThat(c.getObservedGeneration()).isEqualTo(fn.getMetadata().getGeneration());
            });
  }

  @Test
  void invalidSpecIsAFailedConditionNamingTheFieldsAndOtherFunctionsStillReconcile() {
    startOperator();
    FunctionResource bad =
        FunctionMapping.toResource(
            new FunctionSpec(
                new FunctionId(NS, "bad"),
                "bad:1",
                null,
                Map.of("max_inflight", "abc"),
                null,
                null,
                null,
                null,
                null,
                null,
                false));
    FunctionScaling scaling = new FunctionScaling();
    scaling.setMin(-1);
    bad.getSpec().setScaling(scaling);
    apply(bad);

    await()
        .untilAsserted(
            () -> {
              Condition c = ready("bad");
              assertThat(c).isNotNull();
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo(FunctionStatuses.INVALID_SPEC);
              assertThat(c.getMessage())
                  .contains("spec.envVars.max_inflight")
                  .contains("spec.scaling.min");
            });
    assertThat(deployment("bad")).isNull();
    assertThat(service("bad")).isNull();
    assertThat(registry.contains(new FunctionId(NS, "bad"))).isFalse();

    apply(FunctionMapping.toResource(spec("good", "good:1")));
    await().untilAsserted(() -> assertThat(deployment("good")).isNotNull());
    await().untilAsserted(() -> assertThat(registry.contains(new FunctionId(NS, "good"))).isTrue());
    assertThat(deployment("bad")).isNull();
  }

  @Test
  void anInvalidChangeLeavesTheLastValidDeploymentAndRegistryEntryRunning() {
    startOperator();
    apply(FunctionMapping.toResource(spec("echo", "echo:1")));
    await().untilAsserted(() -> assertThat(registry.contains(new FunctionId(NS, "echo"))).isTrue());

    client
        .resources(FunctionResource.class)
        .inNamespace(NS)
        .withName("echo")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"spec\":{\"image\":\"echo:2\",\"scaling\":{\"targetProportion\":1.5}}}");

    await()
        .untilAsserted(
            () -> {
              Condition c = ready("echo");
              assertThat(c.getReason()).isEqualTo(FunctionStatuses.INVALID_SPEC);
              assertThat(c.getMessage()).startsWith("spec.scaling.targetProportion: ");
              assertThat(c.getObservedGeneration()).isEqualTo(2L);
            });
    assertThat(
            deployment("echo").getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("echo:1");
    assertThat(registry.get(new FunctionId(NS, "echo"))).contains(spec("echo", "echo:1"));
  }

  @Test
  void aRestartedOperatorKeepsRunningFunctionsAndTheirScale() {
    startOperator();
    apply(FunctionMapping.toResource(spec("echo", "echo:1")));
    await().untilAsserted(() -> assertThat(deployment("echo")).isNotNull());
    client.apps().deployments().inNamespace(NS).withName("echo").scale(2);
    await()
        .untilAsserted(() -> assertThat(function("echo").getStatus().getReplicas()).isEqualTo(2));
    operator.close();
    String version = deployment("echo").getMetadata().getResourceVersion();

    startOperator();

    await().until(() -> operator.synced().toCompletableFuture().isDone());
    assertThat(registry.contains(new FunctionId(NS, "echo"))).isTrue();
    assertThat(deployment("echo").getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment("echo").getMetadata().getResourceVersion()).isEqualTo(version);
    assertThat(registry.removals()).isEmpty();
  }

  @Test
  void aDeletedDeploymentIsBuiltAgain() {
    startOperator();
    apply(FunctionMapping.toResource(spec("echo", "echo:1")));
    await().untilAsserted(() -> assertThat(deployment("echo")).isNotNull());
    String uid = deployment("echo").getMetadata().getUid();

    client.apps().deployments().inNamespace(NS).withName("echo").delete();

    await()
        .untilAsserted(
            () -> {
              assertThat(deployment("echo")).isNotNull();
              assertThat(deployment("echo").getMetadata().getUid()).isNotEqualTo(uid);
            });
  }

  @Test
  void deletingTheFunctionRemovesItsObjectsAndItsRegistryEntry() {
    startOperator();
    apply(FunctionMapping.toResource(spec("echo", "echo:1")));
    await().untilAsserted(() -> assertThat(registry.contains(new FunctionId(NS, "echo"))).isTrue());
    await().untilAsserted(() -> assertThat(service("echo")).isNotNull());

    client.resources(FunctionResource.class).inNamespace(NS).withName("echo").delete();

    await()
        .untilAsserted(
            () -> {
              assertThat(deployment("echo")).isNull();
              assertThat(service("echo")).isNull();
              assertThat(registry.contains(new FunctionId(NS, "echo"))).isFalse();
              assertThat(registry.removals()).contains(new FunctionId(NS, "echo"));
            });
  }

  @Test
  void initialSyncRemovesRegistryFunctionsNoFunctionBacks() {
    registry.put(spec("ghost", "ghost:1"));
    registry.put(spec("echo", "echo:0"));
    apply(FunctionMapping.toResource(spec("echo", "echo:1")));

    startOperator();

    await().until(() -> operator.synced().toCompletableFuture().isDone());
    assertThat(registry.contains(new FunctionId(NS, "ghost"))).isFalse();
    assertThat(registry.removals()).containsExactly(new FunctionId(NS, "ghost"));
    await()
        .untilAsserted(
            () ->
                assertThat(registry.get(new FunctionId(NS, "echo")))
                    .contains(spec("echo", "echo:1")));
  }

  @Test
  void registryFailuresAreRetriedUntilThePutLands() {
    registry.failNextPuts(2);
    startOperator();
    apply(FunctionMapping.toResource(spec("echo", "echo:1")));

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(registry.contains(new FunctionId(NS, "echo"))).isTrue());
    assertThat(registry.putAttempts()).isGreaterThanOrEqualTo(3);
    await()
        .untilAsserted(
            () -> assertThat(ready("echo").getReason()).isEqualTo(FunctionStatuses.SCALED_TO_ZERO));
  }

  @Test
  void aDeploymentShardlessDoesNotManageIsLeftAloneAndReported() {
    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("taken")
                .withLabels(Map.of("app", "other"))
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .endSpec()
                .build())
        .create();
    startOperator();
    apply(FunctionMapping.toResource(spec("taken", "taken:1")));

    await()
        .untilAsserted(
            () -> {
              Condition c = ready("taken");
              assertThat(c).isNotNull();
              assertThat(c.getReason()).isEqualTo(FunctionStatuses.RECONCILE_FAILED);
              assertThat(c.getMessage()).contains("does not manage it");
            });
    assertThat(deployment("taken").getMetadata().getLabels())
        .doesNotContainKey(Conventions.MANAGED_BY_LABEL);
    assertThat(registry.contains(new FunctionId(NS, "taken"))).isFalse();
  }
}
