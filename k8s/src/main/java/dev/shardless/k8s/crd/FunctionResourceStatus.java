package dev.shardless.k8s.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code status} of a Function, written only by the operator: the Deployment's desired and Ready
 * replicas, the generation last reconciled, and the {@code Ready} condition (standard {@code
 * metav1.Condition} fields).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"replicas", "readyReplicas", "observedGeneration", "conditions"})
public class FunctionResourceStatus {
  private Integer replicas;
  private Integer readyReplicas;
  private Long observedGeneration;
  private List<Condition> conditions = new ArrayList<>();

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(Integer readyReplicas) {
    this.readyReplicas = readyReplicas;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions == null ? new ArrayList<>() : conditions;
  }

  /** The condition of {@code type}, or null. */
  public Condition condition(String type) {
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FunctionResourceStatus s
        && Objects.equals(replicas, s.replicas)
        && Objects.equals(readyReplicas, s.readyReplicas)
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(replicas, readyReplicas, observedGeneration, conditions);
  }

  @Override
  public String toString() {
    return "FunctionResourceStatus(replicas="
        + replicas
        + ", readyReplicas="
        + readyReplicas
        + ", observedGeneration="
        + observedGeneration
        + ", conditions="
        + conditions
        + ")";
  }
}
