package dev.shardless.k8s.crd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardless.k8s.SpecVersion;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.Resources;
import dev.shardless.scheduler.model.ScalingSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FunctionMappingTest {
  private static final FunctionId ID = new FunctionId("openfaas-fn", "echo");
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  static FunctionSpec spec(
      Map<String, String> labels, Resources limits, Resources requests, boolean readOnly) {
    return new FunctionSpec(
        ID,
        "ghcr.io/openfaas/echo:1",
        "cat",
        Map.of("mode", "http", "max_inflight", "4"),
        List.of("kubernetes.io/arch=amd64"),
        List.of("api-key", "db.password"),
        labels,
        Map.of("topic", "orders", "example.com/owner", "team-a"),
        limits,
        requests,
        readOnly);
  }

  static Stream<FunctionSpec> specs() {
    return Stream.of(
        new FunctionSpec(ID, "img", null, null, null, null, null, null, null, null, false),
        new FunctionSpec(
            ID, "", "", Map.of(), List.of(), List.of(), Map.of(), Map.of(), null, null, false),
        spec(Map.of(), Resources.NONE, Resources.NONE, false),
        spec(
            Map.of(
                ScalingSpec.MIN,
                "0",
                ScalingSpec.MAX,
                "5",
                ScalingSpec.TARGET,
                "20",
                ScalingSpec.TARGET_PROPORTION,
                "0.7",
                ScalingSpec.TYPE,
                "capacity",
                ScalingSpec.ZERO,
                "true",
                ScalingSpec.ZERO_DURATION,
                "1m30s",
                "faas_function",
                "echo",
                "team",
                "a"),
            new Resources("128Mi", "500m"),
            new Resources("64Mi", null),
            true),
        spec(
            Map.of(
                ScalingSpec.MIN, " 3",
                ScalingSpec.MAX, "+5",
                ScalingSpec.TARGET, "abc",
                ScalingSpec.TARGET_PROPORTION, "0.90",
                ScalingSpec.TYPE, "RPS",
                ScalingSpec.ZERO, "TRUE",
                ScalingSpec.ZERO_DURATION, " 15m"),
            new Resources(null, "1"),
            new Resources("", null),
            false),
        spec(
            Map.of(
                ScalingSpec.MIN, "-1",
                ScalingSpec.MAX, "0",
                ScalingSpec.TARGET_PROPORTION, "1",
                ScalingSpec.ZERO, "false",
                ScalingSpec.ZERO_DURATION, "90"),
            Resources.NONE,
            Resources.NONE,
            false),
        spec(
            Map.of(
                ScalingSpec.MIN,
                "-0",
                ScalingSpec.TARGET_PROPORTION,
                "1e-1",
                ScalingSpec.TYPE,
                "NaN"),
            Resources.NONE,
            Resources.NONE,
            false));
  }

  @ParameterizedTest
  @MethodSource("specs")
  void roundTripIsLossless(FunctionSpec spec) {
    assertThat(FunctionMapping.toSpec(FunctionMapping.toResource(spec))).isEqualTo(spec);
  }

  @ParameterizedTest
  @MethodSource("specs")
  void roundTripThroughJsonIsLossless(FunctionSpec spec) {
    String json = JSON.asJson(FunctionMapping.toResource(spec));
    FunctionResource read = JSON.unmarshal(json, FunctionResource.class);
    assertThat(FunctionMapping.toSpec(read)).isEqualTo(spec);
  }

  /**
   * The operator builds pods from {@code toSpec} of the Function, the entity starts replicas with
   * the registry's spec (the REST API's original or the operator's {@code toSpec}): their versions
   * must agree, or no replica would ever bind a pod.
   */
  @ParameterizedTest
  @MethodSource("specs")
  void theSpecVersionSurvivesTheRoundTripThroughTheResourceAndItsJson(FunctionSpec spec) {
    String version = SpecVersion.of(spec);
    FunctionResource resource = FunctionMapping.toResource(spec);
    FunctionResource read = JSON.unmarshal(JSON.asJson(resource), FunctionResource.class);

    assertThat(SpecVersion.of(FunctionMapping.toSpec(resource))).isEqualTo(version);
    assertThat(SpecVersion.of(FunctionMapping.toSpec(read))).isEqualTo(version);
  }

  @Test
  void roundTripIsLosslessForRandomScalingLabelsAndKeepsTheSpecVersion() {
    String[] values = {
      "0",
      "1",
      "07",
      "-1",
      " 2",
      "0.5",
      "0.50",
      "1",
      "1.0",
      ".5",
      "rps",
      "capacity",
      "Rps",
      "true",
      "false",
      "True",
      "15m",
      "1h30m",
      "500ms",
      "90",
      "1.5s",
      "x",
      ""
    };
    String[] keys = {
      ScalingSpec.MIN,
      ScalingSpec.MAX,
      ScalingSpec.TARGET,
      ScalingSpec.TARGET_PROPORTION,
      ScalingSpec.TYPE,
      ScalingSpec.ZERO,
      ScalingSpec.ZERO_DURATION
    };
    Random random = new Random(42);
    for (int i = 0; i < 2000; i++) {
      Map<String, String> labels = new HashMap<>();
      for (String key : keys) {
        if (random.nextBoolean()) {
          labels.put(key, values[random.nextInt(values.length)]);
        }
      }
      FunctionSpec spec = spec(labels, Resources.NONE, Resources.NONE, false);
      FunctionSpec back = FunctionMapping.toSpec(FunctionMapping.toResource(spec));
      assertThat(back).as("labels %s", labels).isEqualTo(spec);
      assertThat(SpecVersion.of(back)).as("labels %s", labels).isEqualTo(SpecVersion.of(spec));
    }
  }

  @Test
  void canonicalScalingLabelsBecomeTypedFieldsAndOthersStayLabels() {
    FunctionResource r =
        FunctionMapping.toResource(
            spec(
                Map.of(
                    ScalingSpec.MIN,
                    "2",
                    ScalingSpec.MAX,
                    "5",
                    ScalingSpec.TARGET_PROPORTION,
                    "0.9",
                    ScalingSpec.TYPE,
                    "capacity",
                    ScalingSpec.ZERO,
                    "true",
                    ScalingSpec.ZERO_DURATION,
                    "15m",
                    ScalingSpec.TARGET,
                    " 7",
                    "team",
                    "a"),
                Resources.NONE,
                Resources.NONE,
                false));

    FunctionScaling s = r.getSpec().getScaling();
    assertThat(s.getMin()).isEqualTo(2);
    assertThat(s.getMax()).isEqualTo(5);
    assertThat(s.getTarget()).isNull();
    assertThat(s.getTargetProportion()).isEqualTo(0.9);
    assertThat(s.getType()).isEqualTo("capacity");
    assertThat(s.getZero()).isTrue();
    assertThat(s.getZeroDuration()).isEqualTo("15m");
    assertThat(r.getSpec().getLabels())
        .containsOnly(Map.entry("team", "a"), Map.entry(ScalingSpec.TARGET, " 7"));
  }

  @Test
  void resourceIsNamedAfterTheFunctionAndLeavesEmptyFieldsOut() {
    FunctionResource r =
        FunctionMapping.toResource(
            new FunctionSpec(ID, "img", null, null, null, null, null, null, null, null, false));

    assertThat(r.getMetadata().getName()).isEqualTo("echo");
    assertThat(r.getMetadata().getNamespace()).isEqualTo("openfaas-fn");
    assertThat(r.getSpec().getImage()).isEqualTo("img");
    assertThat(JSON.asJson(r.getSpec())).isEqualTo("{\"image\":\"img\"}");
  }

  @Test
  void typedScalingFieldWinsOverALabelWrittenNextToIt() {
    FunctionResource r =
        FunctionMapping.toResource(
            spec(Map.of("team", "a"), Resources.NONE, Resources.NONE, false));
    r.getSpec().getLabels().put(ScalingSpec.MAX, "9");
    FunctionScaling scaling = new FunctionScaling();
    scaling.setMax(3);
    r.getSpec().setScaling(scaling);

    assertThat(FunctionMapping.toSpec(r).labels()).containsEntry(ScalingSpec.MAX, "3");
    assertThat(FunctionMapping.toSpec(r).scaling().max()).isEqualTo(3);
  }

  @Test
  void validatorFieldsAreNamedAsTheUserWroteThem() {
    FunctionResource r =
        FunctionMapping.toResource(
            spec(
                Map.of(ScalingSpec.MIN, "-1", ScalingSpec.MAX, "x"),
                Resources.NONE,
                Resources.NONE,
                false));

    assertThat(FunctionMapping.resourceField(r, "labels." + ScalingSpec.MIN))
        .isEqualTo("spec.scaling.min");
    assertThat(FunctionMapping.resourceField(r, "labels." + ScalingSpec.MAX))
        .isEqualTo("spec.labels." + ScalingSpec.MAX);
    assertThat(FunctionMapping.resourceField(r, "envVars.max_inflight"))
        .isEqualTo("spec.envVars.max_inflight");
    assertThat(FunctionMapping.resourceField(r, "service")).isEqualTo("metadata.name");
    assertThat(FunctionMapping.resourceField(r, "namespace")).isEqualTo("metadata.namespace");
    assertThat(FunctionMapping.resourceField(r, "image")).isEqualTo("spec.image");
  }
}
