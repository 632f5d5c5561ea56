package dev.shardless.k8s.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * {@code spec.scaling} of a Function: the OpenFaaS {@code com.openfaas.scale.*} labels as typed
 * fields. An absent field falls back to the label of the same meaning, then to the default (see
 * {@code ScalingSpec}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"min", "max", "target", "targetProportion", "type", "zero", "zeroDuration"})
public class FunctionScaling {
  private Integer min;
  private Integer max;
  private Integer target;
  private Double targetProportion;
  private String type;
  private Boolean zero;
  private String zeroDuration;

  public Integer getMin() {
    return min;
  }

  public void setMin(Integer min) {
    this.min = min;
  }

  public Integer getMax() {
    return max;
  }

  public void setMax(Integer max) {
    this.max = max;
  }

  public Integer getTarget() {
    return target;
  }

  public void setTarget(Integer target) {
    this.target = target;
  }

  public Double getTargetProportion() {
    return targetProportion;
  }

  public void setTargetProportion(Double targetProportion) {
    this.targetProportion = targetProportion;
  }

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public Boolean getZero() {
    return zero;
  }

  public void setZero(Boolean zero) {
    this.zero = zero;
  }

  public String getZeroDuration() {
    return zeroDuration;
  }

  public void setZeroDuration(String zeroDuration) {
    this.zeroDuration = zeroDuration;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FunctionScaling s
        && Objects.equals(min, s.min)
        && Objects.equals(max, s.max)
        && Objects.equals(target, s.target)
        && Objects.equals(targetProportion, s.targetProportion)
        && Objects.equals(type, s.type)
        && Objects.equals(zero, s.zero)
        && Objects.equals(zeroDuration, s.zeroDuration);
  }

  @Override
  public int hashCode() {
    return Objects.hash(min, max, target, targetProportion, type, zero, zeroDuration);
  }

  @Override
  public String toString() {
    return "FunctionScaling(min="
        + min
        + ", max="
        + max
        + ", target="
        + target
        + ", targetProportion="
        + targetProportion
        + ", type="
        + type
        + ", zero="
        + zero
        + ", zeroDuration="
        + zeroDuration
        + ")";
  }
}
