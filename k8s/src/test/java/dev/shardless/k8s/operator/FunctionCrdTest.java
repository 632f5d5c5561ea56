package dev.shardless.k8s.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardless.k8s.Conventions;
import dev.shardless.k8s.crd.FunctionMapping;
import dev.shardless.k8s.crd.FunctionResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class FunctionCrdTest {
  KubernetesClient client;

  private static final CustomResourceDefinition CRD = FunctionOperator.functionCrd();

  private static CustomResourceDefinitionVersion v1() {
    return CRD.getSpec().getVersions().get(0);
  }

  private static JSONSchemaProps property(JSONSchemaProps schema, String... path) {
    JSONSchemaProps p = schema;
    for (String name : path) {
      p = p.getProperties().get(name);
    }
    return p;
  }

  private static JSONSchemaProps spec(String... path) {
    return property(v1().getSchema().getOpenAPIV3Schema().getProperties().get("spec"), path);
  }

  @Test
  void namesTheFunctionResourceTheModelClassUses() {
    assertThat(CRD.getMetadata().getName())
        .isEqualTo(HasMetadata.getFullResourceName(FunctionResource.class));
    assertThat(CRD.getSpec().getGroup()).isEqualTo(Conventions.GROUP);
    assertThat(CRD.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(CRD.getSpec().getNames().getKind()).isEqualTo(Conventions.KIND);
    assertThat(CRD.getSpec().getNames().getPlural()).isEqualTo(Conventions.PLURAL);
    assertThat(CRD.getSpec().getNames().getSingular()).isEqualTo("function");
    assertThat(CRD.getSpec().getNames().getShortNames()).containsExactly("fn");
    assertThat(CRD.getSpec().getVersions()).hasSize(1);
    assertThat(v1().getName()).isEqualTo(Conventions.VERSION);
    assertThat(v1().getServed()).isTrue();
    assertThat(v1().getStorage()).isTrue();
  }

  @Test
  void hasAStatusSubresourceAndPrinterColumns() {
    assertThat(v1().getSubresources().getStatus()).isNotNull();
    assertThat(v1().getAdditionalPrinterColumns())
        .extracting(
            CustomResourceColumnDefinition::getName, CustomResourceColumnDefinition::getJsonPath)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("Image", ".spec.image"),
            org.assertj.core.groups.Tuple.tuple("Desired", ".status.replicas"),
            org.assertj.core.groups.Tuple.tuple("Ready", ".status.readyReplicas"),
            org.assertj.core.groups.Tuple.tuple(
                "Status", ".status.conditions[?(@.type==\"Ready\")].status"),
            org.assertj.core.groups.Tuple.tuple("Age", ".metadata.creationTimestamp"));
  }

  @Test
  void schemaValidatesTheFunctionDeploymentFields() {
    assertThat(v1().getSchema().getOpenAPIV3Schema().getRequired()).containsExactly("spec");
    assertThat(spec().getRequired()).containsExactly("image");
    assertThat(spec("image").getMinLength()).isEqualTo(1L);
    assertThat(spec().getProperties().keySet())
        .containsExactlyInAnyOrder(
            "image",
            "envProcess",
            "envVars",
            "constraints",
            "secrets",
            "labels",
            "annotations",
            "limits",
            "requests",
            "readOnlyRootFilesystem",
            "scaling");
    for (String map : new String[] {"envVars", "labels", "annotations"}) {
      assertThat(spec(map).getType()).isEqualTo("object");
      assertThat(spec(map).getAdditionalProperties().getSchema().getType()).isEqualTo("string");
    }
    assertThat(Pattern.matches(spec("secrets").getItems().getSchema().getPattern(), "db.password"))
        .isTrue();
    assertThat(Pattern.matches(spec("secrets").getItems().getSchema().getPattern(), "DB_Password"))
        .isFalse();
    String quantity = spec("limits", "memory").getPattern();
    assertThat(Pattern.matches(quantity, "128Mi")).isTrue();
    assertThat(Pattern.matches(quantity, "lots")).isFalse();
    assertThat(spec("requests", "cpu").getPattern()).isEqualTo(quantity);
    assertThat(spec("readOnlyRootFilesystem").getType()).isEqualTo("boolean");
  }

  @Test
  void schemaBoundsTheScalingSettings() {
    assertThat(spec("scaling", "min").getMinimum()).isEqualTo(0.0);
    assertThat(spec("scaling", "max").getMinimum()).isEqualTo(1.0);
    assertThat(spec("scaling", "target").getMinimum()).isEqualTo(1.0);
    assertThat(spec("scaling", "targetProportion").getExclusiveMinimum()).isTrue();
    assertThat(spec("scaling", "targetProportion").getMaximum()).isEqualTo(1.0);
    assertThat(spec("scaling", "type").getEnum())
        .extracting(Object::toString)
        .containsExactly("\"rps\"", "\"capacity\"");
    assertThat(spec("scaling", "zero").getType()).isEqualTo("boolean");
    assertThat(spec("scaling", "zeroDuration").getPattern())
        .isEqualTo("^" + FunctionMapping.GO_DURATION.pattern() + "$");
  }

  @Test
  void statusSchemaHoldsReplicasGenerationAndConditions() {
    JSONSchemaProps status = v1().getSchema().getOpenAPIV3Schema().getProperties().get("status");
    assertThat(status.getProperties().keySet())
        .containsExactlyInAnyOrder("replicas", "readyReplicas", "observedGeneration", "conditions");
    assertThat(
            status
                .getProperties()
                .get("conditions")
                .getItems()
                .getSchema()
                .getProperties()
                .keySet())
        .containsExactlyInAnyOrder(
            "type", "status", "reason", "message", "lastTransitionTime", "observedGeneration");
  }

  @Test
  void schemaUsesNoRuleKubernetes120Lacks() {
    assertThat(FunctionOperator.functionCrd().toString())
        .doesNotContain("x-kubernetes-validations");
    assertThat(v1().getSchema().getOpenAPIV3Schema().getXKubernetesPreserveUnknownFields())
        .isNull();
  }

  @Test
  void installingTwiceUpdatesInPlace() {
    FunctionOperator.installCrd(client);
    FunctionOperator.installCrd(client);

    CustomResourceDefinition installed =
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName("functions.shardless.dev")
            .get();
    assertThat(installed.getSpec().getNames().getKind()).isEqualTo("Function");
    assertThat(installed.getSpec().getVersions().get(0).getSubresources().getStatus()).isNotNull();
  }
}
