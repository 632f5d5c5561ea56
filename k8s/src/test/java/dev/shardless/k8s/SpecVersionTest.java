package dev.shardless.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.Resources;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SpecVersionTest {
  /** The fields of a spec, each settable, starting from one full spec. */
  private static final class Fields {
    FunctionId id = new FunctionId("openfaas-fn", "echo");
    String image = "ghcr.io/openfaas/echo:1";
    String envProcess = "cat";
    Map<String, String> envVars = Map.of("mode", "http", "DEBUG", "0");
    List<String> constraints = List.of("kubernetes.io/arch=amd64", "disk=ssd");
    List<String> secrets = List.of("api-key", "db");
    Map<String, String> labels = Map.of("team", "a", "com.openfaas.scale.max", "5");
    Map<String, String> annotations = Map.of("prometheus.io/scrape", "true");
    Resources limits = new Resources("128Mi", "500m");
    Resources requests = new Resources("64Mi", null);
    boolean readOnly;

    FunctionSpec spec() {
      return new FunctionSpec(
          id,
          image,
          envProcess,
          envVars,
          constraints,
          secrets,
          labels,
          annotations,
          limits,
          requests,
          readOnly);
    }
  }

  private static FunctionSpec spec(Consumer<Fields> change) {
    Fields f = new Fields();
    change.accept(f);
    return f.spec();
  }

  private static final FunctionSpec SPEC = new Fields().spec();

  static Stream<Arguments> oneFieldChanged() {
    return Stream.of(
        change("namespace", f -> f.id = new FunctionId("other", "echo")),
        change("name", f -> f.id = new FunctionId("openfaas-fn", "echo2")),
        change("image", f -> f.image = "ghcr.io/openfaas/echo:2"),
        change("envProcess", f -> f.envProcess = "tac"),
        change("an env value", f -> f.envVars = Map.of("mode", "http", "DEBUG", "1")),
        change("an env var added", f -> f.envVars = Map.of("mode", "http", "DEBUG", "0", "X", "")),
        change(
            "a constraint", f -> f.constraints = List.of("kubernetes.io/arch=arm64", "disk=ssd")),
        change("secrets reordered", f -> f.secrets = List.of("db", "api-key")),
        change("a label", f -> f.labels = Map.of("team", "a", "com.openfaas.scale.max", "6")),
        change("an annotation", f -> f.annotations = Map.of("prometheus.io/scrape", "false")),
        change("limits", f -> f.limits = new Resources("256Mi", "500m")),
        change("requests cpu set", f -> f.requests = new Resources("64Mi", "100m")),
        change("limits and requests swapped", f -> f.limits = f.requests),
        change("readOnlyRootFilesystem", f -> f.readOnly = true));
  }

  private static Arguments change(String what, Consumer<Fields> change) {
    return Arguments.of(what, spec(change));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("oneFieldChanged")
  void anyChangedFieldChangesTheVersion(String field, FunctionSpec changed) {
    assertThat(changed).isNotEqualTo(SPEC);
    assertThat(SpecVersion.of(changed)).isNotEqualTo(SpecVersion.of(SPEC));
  }

  @Test
  void equalSpecsHaveEqualVersions() {
    FunctionSpec copy =
        spec(
            f -> {
              f.id = new FunctionId("openfaas-fn", "echo");
              f.envVars = new LinkedHashMap<>(Map.of("DEBUG", "0", "mode", "http"));
              f.labels = new LinkedHashMap<>(SPEC.labels());
            });

    assertThat(copy).isEqualTo(SPEC);
    assertThat(SpecVersion.of(copy)).isEqualTo(SpecVersion.of(SPEC));
  }

  @Test
  void theOrderAMapWasBuiltInDoesNotMatter() {
    Map<String, String> forward = new LinkedHashMap<>();
    Map<String, String> backward = new LinkedHashMap<>();
    for (int i = 0; i < 50; i++) {
      forward.put("K" + i, "v" + i);
      backward.put("K" + (49 - i), "v" + (49 - i));
    }

    assertThat(SpecVersion.of(spec(f -> f.envVars = forward)))
        .isEqualTo(SpecVersion.of(spec(f -> f.envVars = backward)));
    assertThat(SpecVersion.of(spec(f -> f.annotations = forward)))
        .isEqualTo(SpecVersion.of(spec(f -> f.annotations = backward)));
  }

  @Test
  void absentAndEmptyValuesDifferAndEntriesDoNotRunTogether() {
    assertThat(SpecVersion.of(spec(f -> f.limits = new Resources(null, "1"))))
        .isNotEqualTo(SpecVersion.of(spec(f -> f.limits = new Resources("", "1"))));
    assertThat(SpecVersion.of(spec(f -> f.envVars = Map.of("ab", "c"))))
        .isNotEqualTo(SpecVersion.of(spec(f -> f.envVars = Map.of("a", "bc"))));
    assertThat(SpecVersion.of(spec(f -> f.envVars = Map.of("a", "b", "c", "d"))))
        .isNotEqualTo(SpecVersion.of(spec(f -> f.envVars = Map.of("a", "b\u0000c"))));
    assertThat(SpecVersion.of(spec(f -> f.secrets = List.of("a", "b"))))
        .isNotEqualTo(SpecVersion.of(spec(f -> f.secrets = List.of("ab"))));
  }

  @Test
  void theVersionIsSixteenHexDigitsAndStableAcrossReleases() {
    String version = SpecVersion.of(SPEC);

    assertThat(version).matches("[0-9a-f]{16}");
    // Pinned: another value would make every running pod look foreign after an upgrade.
    assertThat(version).isEqualTo("072737d8254dd8e4");
    assertThat(SpecVersion.of(spec(f -> f.envVars = Map.of("mode", "http", "DEBUG", "1"))))
        .isEqualTo("ace14b07fef4f171");
  }
}
