package dev.shardless.k8s.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardless.k8s.crd.FunctionMapping;
import dev.shardless.k8s.crd.FunctionResource;
import dev.shardless.k8s.crd.FunctionResourceStatus;
import dev.shardless.scheduler.model.FieldError;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionStatusesTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00.123Z");
  private static final Instant T1 = T0.plusSeconds(60);

  private static FunctionResource fn(long generation) {
    FunctionResource fn =
        FunctionMapping.toResource(
            new FunctionSpec(
                new FunctionId("fn", "echo"),
                "img",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false));
    fn.getMetadata().setGeneration(generation);
    return fn;
  }

  private static Deployment deployment(int replicas, Integer ready) {
    return new DeploymentBuilder()
        .withNewSpec()
        .withReplicas(replicas)
        .endSpec()
        .withNewStatus()
        .withReadyReplicas(ready)
        .endStatus()
        .build();
  }

  @Test
  void readyFollowsTheDeployment() {
    assertThat(FunctionStatuses.observed(fn(1), deployment(0, null), T0).condition("Ready"))
        .extracting(Condition::getStatus, Condition::getReason)
        .containsExactly("True", FunctionStatuses.SCALED_TO_ZERO);
    assertThat(FunctionStatuses.observed(fn(1), deployment(3, 0), T0).condition("Ready"))
        .extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
        .containsExactly("False", FunctionStatuses.PROGRESSING, "0 of 3 replicas ready");
    FunctionResourceStatus available = FunctionStatuses.observed(fn(4), deployment(3, 2), T0);
    assertThat(available.getReplicas()).isEqualTo(3);
    assertThat(available.getReadyReplicas()).isEqualTo(2);
    assertThat(available.getObservedGeneration()).isEqualTo(4L);
    assertThat(available.condition("Ready"))
        .extracting(Condition::getStatus, Condition::getReason, Condition::getObservedGeneration)
        .containsExactly("True", FunctionStatuses.AVAILABLE, 4L);
  }

  @Test
  void transitionTimeMovesOnlyWhenTheConditionStatusChanges() {
    FunctionResource fn = fn(1);
    fn.setStatus(FunctionStatuses.observed(fn, deployment(0, null), T0));

    FunctionResourceStatus stillTrue = FunctionStatuses.observed(fn, deployment(2, 1), T1);
    FunctionResourceStatus nowFalse = FunctionStatuses.observed(fn, deployment(2, 0), T1);

    assertThat(stillTrue.condition("Ready").getLastTransitionTime())
        .isEqualTo("2026-11-22T10:00:00Z");
    assertThat(nowFalse.condition("Ready").getLastTransitionTime())
        .isEqualTo("2026-11-22T10:01:00Z");
  }

  @Test
  void invalidSpecKeepsTheLastReplicaCountsAndNamesEveryField() {
    FunctionResource fn = fn(2);
    fn.setStatus(FunctionStatuses.observed(fn, deployment(2, 2), T0));

    FunctionResourceStatus status =
        FunctionStatuses.invalid(
            fn,
            List.of(
                new FieldError("spec.scaling.min", "must be >= 0"),
                new FieldError("spec.image", "is required")),
            T1);

    assertThat(status.getReplicas()).isEqualTo(2);
    assertThat(status.getReadyReplicas()).isEqualTo(2);
    assertThat(status.getConditions()).hasSize(1);
    assertThat(status.condition("Ready"))
        .extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
        .containsExactly(
            "False",
            FunctionStatuses.INVALID_SPEC,
            "spec.scaling.min: must be >= 0; spec.image: is required");
  }
}
