package dev.shardless.scheduler.model;

import dev.shardless.scheduler.CborSerializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A function's definition, as deployed through the OpenFaaS {@code FunctionDeployment} body
 * (DESIGN.md §2). Immutable; maps and lists are copied. Fields that OpenFaaS treats as optional are
 * empty collections or {@link Resources#NONE}, never null.
 *
 * <p>Derived settings ({@link #mode()}, {@link #maxInflight()}, {@link #timeout()}, {@link
 * #scaling()}) are read from {@code envVars} and {@code labels}; call {@link
 * FunctionSpecValidator#validate} first, since they assume valid values.
 */
public record FunctionSpec(
    FunctionId id,
    String image,
    String envProcess,
    Map<String, String> envVars,
    List<String> constraints,
    List<String> secrets,
    Map<String, String> labels,
    Map<String, String> annotations,
    Resources limits,
    Resources requests,
    boolean readOnlyRootFilesystem)
    implements CborSerializable {

  /** of-watchdog's per-replica concurrency limit. */
  public static final String MAX_INFLIGHT_ENV = "max_inflight";

  /** Default per-request timeout when neither {@code exec_timeout} nor {@code write_timeout}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  public FunctionSpec {
    Objects.requireNonNull(id, "id");
    envProcess = envProcess == null ? "" : envProcess;
    image = image == null ? "" : image;
    envVars = envVars == null ? Map.of() : Map.copyOf(envVars);
    constraints = constraints == null ? List.of() : List.copyOf(constraints);
    secrets = secrets == null ? List.of() : List.copyOf(secrets);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    limits = limits == null ? Resources.NONE : limits;
    requests = requests == null ? Resources.NONE : requests;
  }

  /** {@code envVars.mode=http} selects HTTP mode; anything else is the classic fork-per-request. */
  public InvocationMode mode() {
    return "http".equalsIgnoreCase(envVars.getOrDefault("mode", ""))
        ? InvocationMode.HTTP
        : InvocationMode.CLASSIC;
  }

  /** Concurrent requests one replica accepts; 0 means unlimited (of-watchdog's default). */
  public int maxInflight() {
    String v = envVars.get(MAX_INFLIGHT_ENV);
    return v == null || v.isBlank() ? 0 : Integer.parseInt(v.trim());
  }

  /**
   * The per-request timeout: the larger of {@code exec_timeout} and {@code write_timeout} when set
   * (the watchdog gives up at the first, the gateway at the second), else 60 s.
   */
  public Duration timeout() {
    Duration exec = GoDuration.parse(envVars.get("exec_timeout")).orElse(null);
    Duration write = GoDuration.parse(envVars.get("write_timeout")).orElse(null);
    if (exec == null && write == null) {
      return DEFAULT_TIMEOUT;
    }
    if (exec == null || exec.isZero()) {
      return write == null || write.isZero() ? DEFAULT_TIMEOUT : write;
    }
    if (write == null || write.isZero()) {
      return exec;
    }
    return exec.compareTo(write) >= 0 ? exec : write;
  }

  /** The scaling settings from the {@code com.openfaas.scale.*} labels. */
  public ScalingSpec scaling() {
    return ScalingSpec.fromLabels(labels);
  }

  /** A copy with different labels, e.g. after the gateway adds {@code faas_function}. */
  public FunctionSpec withLabels(Map<String, String> newLabels) {
    return new FunctionSpec(
        id,
        image,
        envProcess,
        envVars,
        constraints,
        secrets,
        newLabels,
        annotations,
        limits,
        requests,
        readOnlyRootFilesystem);
  }
}
