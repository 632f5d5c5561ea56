package dev.shardless.scheduler.model;

import java.time.Duration;
import java.util.Map;

/**
 * The OpenFaaS scaling labels (DESIGN.md §2) with their defaults. {@code min == max} disables
 * autoscaling. Values are validated by {@link FunctionSpecValidator}; {@link #fromLabels} assumes
 * they are valid and falls back to defaults for absent labels.
 *
 * @param min {@code com.openfaas.scale.min}, replicas kept warm, default 1
 * @param max {@code com.openfaas.scale.max}, upper bound, default 20
 * @param target {@code com.openfaas.scale.target}, load per replica, default 50
 * @param targetProportion {@code com.openfaas.scale.target-proportion}, default 0.90
 * @param type {@code com.openfaas.scale.type}: what "load" means
 * @param zero {@code com.openfaas.scale.zero}: may idle to zero replicas, default false
 * @param zeroDuration {@code com.openfaas.scale.zero-duration}: idle time before zero, default 15m
 */
public record ScalingSpec(
    int min,
    int max,
    int target,
    double targetProportion,
    LoadType type,
    boolean zero,
    Duration zeroDuration) {

  public static final String PREFIX = "com.openfaas.scale.";
  public static final String MIN = PREFIX + "min";
  public static final String MAX = PREFIX + "max";
  public static final String TARGET = PREFIX + "target";
  public static final String TARGET_PROPORTION = PREFIX + "target-proportion";
  public static final String TYPE = PREFIX + "type";
  public static final String ZERO = PREFIX + "zero";
  public static final String ZERO_DURATION = PREFIX + "zero-duration";

  public static final ScalingSpec DEFAULT =
      new ScalingSpec(1, 20, 50, 0.90, LoadType.RPS, false, Duration.ofMinutes(15));

  /** What the scaling target measures per replica. */
  public enum LoadType {
    /** Completed requests per second. */
    RPS,
    /** Requests in flight. */
    CAPACITY
  }

  /** True when min == max: the replica count is pinned and the autoscaler stays out. */
  public boolean pinned() {
    return min == max;
  }

  public static ScalingSpec fromLabels(Map<String, String> labels) {
    return new ScalingSpec(
        intLabel(labels, MIN, DEFAULT.min),
        intLabel(labels, MAX, DEFAULT.max),
        intLabel(labels, TARGET, DEFAULT.target),
        labels.containsKey(TARGET_PROPORTION)
            ? Double.parseDouble(labels.get(TARGET_PROPORTION).trim())
            : DEFAULT.targetProportion,
        labels.containsKey(TYPE)
            ? LoadType.valueOf(labels.get(TYPE).trim().toUpperCase(java.util.Locale.ROOT))
            : DEFAULT.type,
        labels.containsKey(ZERO) ? Boolean.parseBoolean(labels.get(ZERO).trim()) : DEFAULT.zero,
        labels.containsKey(ZERO_DURATION)
            ? GoDuration.parse(labels.get(ZERO_DURATION)).orElse(DEFAULT.zeroDuration)
            : DEFAULT.zeroDuration);
  }

  private static int intLabel(Map<String, String> labels, String key, int fallback) {
    String v = labels.get(key);
    return v == null ? fallback : Integer.parseInt(v.trim());
  }
}
