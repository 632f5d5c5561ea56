package dev.shardless.k8s.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code spec} of a Function: the OpenFaaS FunctionDeployment fields (DESIGN.md §2; the name and
 * namespace are the resource's own) plus {@link FunctionScaling}. Absent collections are null, so
 * that a Function written with {@code kubectl} reads back as written.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
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
  "scaling"
})
public class FunctionResourceSpec {
  private String image;
  private String envProcess;
  private Map<String, String> envVars;
  private List<String> constraints;
  private List<String> secrets;
  private Map<String, String> labels;
  private Map<String, String> annotations;
  private FunctionQuantities limits;
  private FunctionQuantities requests;
  private Boolean readOnlyRootFilesystem;
  private FunctionScaling scaling;

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public String getEnvProcess() {
    return envProcess;
  }

  public void setEnvProcess(String envProcess) {
    this.envProcess = envProcess;
  }

  public Map<String, String> getEnvVars() {
    return envVars;
  }

  public void setEnvVars(Map<String, String> envVars) {
    this.envVars = envVars;
  }

  public List<String> getConstraints() {
    return constraints;
  }

  public void setConstraints(List<String> constraints) {
    this.constraints = constraints;
  }

  public List<String> getSecrets() {
    return secrets;
  }

  public void setSecrets(List<String> secrets) {
    this.secrets = secrets;
  }

  public Map<String, String> getLabels() {
    return labels;
  }

  public void setLabels(Map<String, String> labels) {
    this.labels = labels;
  }

  public Map<String, String> getAnnotations() {
    return annotations;
  }

  public void setAnnotations(Map<String, String> annotations) {
    this.annotations = annotations;
  }

  public FunctionQuantities getLimits() {
    return limits;
  }

  public void setLimits(FunctionQuantities limits) {
    this.limits = limits;
  }

  public FunctionQuantities getRequests() {
    return requests;
  }

  public void setRequests(FunctionQuantities requests) {
    this.requests = requests;
  }

  public Boolean getReadOnlyRootFilesystem() {
    return readOnlyRootFilesystem;
  }

  public void setReadOnlyRootFilesystem(Boolean readOnlyRootFilesystem) {
    this.readOnlyRootFilesystem = readOnlyRootFilesystem;
  }

  public FunctionScaling getScaling() {
    return scaling;
  }

  public void setScaling(FunctionScaling scaling) {
    this.scaling = scaling;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FunctionResourceSpec s
        && Objects.equals(image, s.image)
        && Objects.equals(envProcess, s.envProcess)
        && Objects.equals(envVars, s.envVars)
        && Objects.equals(constraints, s.constraints)
        && Objects.equals(secrets, s.secrets)
        && Objects.equals(labels, s.labels)
        && Objects.equals(annotations, s.annotations)
        && Objects.equals(limits, s.limits)
        && Objects.equals(requests, s.requests)
        && Objects.equals(readOnlyRootFilesystem, s.readOnlyRootFilesystem)
        && Objects.equals(scaling, s.scaling);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        image,
        envProcess,
        envVars,
        constraints,
        secrets,
        labels,
        annotations,
        limits,
        requests,
        readOnlyRootFilesystem,
        scaling);
  }

  @Override
  public String toString() {
    return "FunctionResourceSpec(image="
        + image
        + ", envProcess="
        + envProcess
        + ", envVars="
        + envVars
        + ", constraints="
        + constraints
        + ", secrets="
        + secrets
        + ", labels="
        + labels
        + ", annotations="
        + annotations
        + ", limits="
        + limits
        + ", requests="
        + requests
        + ", readOnlyRootFilesystem="
        + readOnlyRootFilesystem
        + ", scaling="
        + scaling
        + ")";
  }
}
