package dev.shardless.k8s.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * {@code spec.limits} or {@code spec.requests} of a Function: Kubernetes quantities as strings
 * ({@code "128Mi"}, {@code "500m"}); either may be absent.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"memory", "cpu"})
public class FunctionQuantities {
  private String memory;
  private String cpu;

  public FunctionQuantities() {}

  public FunctionQuantities(String memory, String cpu) {
    this.memory = memory;
    this.cpu = cpu;
  }

  public String getMemory() {
    return memory;
  }

  public void setMemory(String memory) {
    this.memory = memory;
  }

  public String getCpu() {
    return cpu;
  }

  public void setCpu(String cpu) {
    this.cpu = cpu;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FunctionQuantities q
        && Objects.equals(memory, q.memory)
        && Objects.equals(cpu, q.cpu);
  }

  @Override
  public int hashCode() {
    return Objects.hash(memory, cpu);
  }

  @Override
  public String toString() {
    return "FunctionQuantities(memory=" + memory + ", cpu=" + cpu + ")";
  }
}
