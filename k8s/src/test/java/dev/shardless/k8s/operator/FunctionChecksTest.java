package dev.shardless.k8s.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardless.k8s.crd.FunctionMapping;
import dev.shardless.k8s.crd.FunctionResource;
import dev.shardless.scheduler.model.FieldError;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.Resources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FunctionChecksTest {
  private static List<String> fields(FunctionSpec spec) {
    FunctionResource r = FunctionMapping.toResource(spec);
    return FunctionChecks.problems(r, FunctionMapping.toSpec(r)).stream()
        .map(FieldError::field)
        .toList();
  }

  private static FunctionSpec spec(
      String name,
      Map<String, String> env,
      List<String> constraints,
      List<String> secrets,
      Map<String, String> labels,
      Map<String, String> annotations,
      Resources limits) {
    return new FunctionSpec(
        new FunctionId("openfaas-fn", name),
        "img:1",
        null,
        env,
        constraints,
        secrets,
        labels,
        annotations,
        limits,
        null,
        false);
  }

  @Test
  void validFunctionHasNoProblems() {
    assertThat(
            fields(
                spec(
                    "echo",
                    Map.of("max_inflight", "4", "exec_timeout", "30s"),
                    List.of("kubernetes.io/arch=amd64"),
                    List.of("api-key"),
                    Map.of("com.openfaas.scale.min", "0", "com.openfaas.scale.max", "3"),
                    Map.of("prometheus.io/scrape", "true"),
                    new Resources("128Mi", "0.5"))))
        .isEmpty();
  }

  @Test
  void eachProblemNamesTheFieldAsWrittenInTheFunction() {
    assertThat(
            fields(
                spec(
                    "Echo_1",
                    Map.of("max_inflight", "abc", "1BAD", "x"),
                    List.of("node.platform.os == linux"),
                    List.of("Bad_Secret"),
                    Map.of("com.openfaas.scale.min", "-1", "com.openfaas.scale.target", "x"),
                    Map.of("bad key!", "v"),
                    new Resources("lots", null))))
        .containsExactlyInAnyOrder(
            "metadata.name",
            "spec.envVars.max_inflight",
            "spec.envVars.1BAD",
            "spec.constraints[0]",
            "spec.secrets[0]",
            "spec.scaling.min",
            "spec.labels.com.openfaas.scale.target",
            "spec.annotations.bad key!",
            "spec.limits.memory");
  }

  @Test
  void minAboveMaxInScalingIsNamedThere() {
    assertThat(
            fields(
                spec(
                    "echo",
                    null,
                    null,
                    null,
                    Map.of("com.openfaas.scale.min", "5", "com.openfaas.scale.max", "2"),
                    null,
                    null)))
        .containsExactly("spec.scaling.min");
  }
}
