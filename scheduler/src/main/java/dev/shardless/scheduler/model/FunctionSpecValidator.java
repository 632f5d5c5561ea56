package dev.shardless.scheduler.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a {@link FunctionSpec} and says which field is wrong and why. Pure: the gateway turns the
 * errors into a 400 that names each field.
 */
public final class FunctionSpecValidator {
  /** Kubernetes DNS-1123 label: what a Service or Deployment name may be. */
  private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private FunctionSpecValidator() {}

  /** True when {@code s} is a DNS-1123 label of at most 63 characters. */
  public static boolean isDnsLabel(String s) {
    return s != null && s.length() <= 63 && DNS_1123_LABEL.matcher(s).matches();
  }

  /** Why {@code s} is not a valid name, or null when it is. */
  public static String nameProblem(String s) {
    if (s == null || s.isEmpty()) {
      return "is required";
    }
    if (s.length() > 63) {
      return "must be at most 63 characters, was " + s.length();
    }
    if (!DNS_1123_LABEL.matcher(s).matches()) {
      return "must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending"
          + " with a letter or digit), was '"
          + s
          + "'";
    }
    return null;
  }

  /**
   * All problems with {@code spec}, empty when it is valid.
   *
   * @param requireEnvProcess true on platforms that run {@code envProcess} (local processes), where
   *     a function without a command cannot run
   */
  public static List<FieldError> validate(FunctionSpec spec, boolean requireEnvProcess) {
    List<FieldError> errors = new ArrayList<>();
    String nameProblem = nameProblem(spec.id().name());
    if (nameProblem != null) {
      errors.add(new FieldError("service", nameProblem));
    }
    String nsProblem = nameProblem(spec.id().namespace());
    if (nsProblem != null) {
      errors.add(new FieldError("namespace", nsProblem));
    }
    if (spec.image().isBlank()) {
      errors.add(new FieldError("image", "is required"));
    }
    if (requireEnvProcess && spec.envProcess().isBlank()) {
      errors.add(
          new FieldError("envProcess", "is required: the command that runs the function locally"));
    }
    validateEnv(spec.envVars(), errors);
    validateScaling(spec.labels(), errors);
    validateAsync(spec.labels(), errors);
    return errors;
  }

  private static void validateEnv(Map<String, String> env, List<FieldError> errors) {
    String mode = env.get("mode");
    if (mode != null && !mode.isBlank() && !mode.equalsIgnoreCase("http")) {
      errors.add(
          new FieldError(
              "envVars.mode", "must be 'http' or absent (classic mode), was '" + mode + "'"));
    }
    String maxInflight = env.get(FunctionSpec.MAX_INFLIGHT_ENV);
    if (maxInflight != null && !maxInflight.isBlank()) {
      Integer n = parseInt(maxInflight);
      if (n == null || n < 0) {
        errors.add(
            new FieldError(
                "envVars.max_inflight",
                "must be a whole number >= 0 (0 = unlimited), was '" + maxInflight + "'"));
      }
    }
    for (String key : List.of("exec_timeout", "write_timeout")) {
      String v = env.get(key);
      if (v != null && !v.isBlank() && GoDuration.parse(v).isEmpty()) {
        errors.add(
            new FieldError(
                "envVars." + key,
                "must be a duration like '30s', '1m30s' or a number of seconds, was '" + v + "'"));
      }
    }
  }

  private static void validateScaling(Map<String, String> labels, List<FieldError> errors) {
    Integer min = intLabel(labels, ScalingSpec.MIN, 0, errors);
    Integer max = intLabel(labels, ScalingSpec.MAX, 1, errors);
    intLabel(labels, ScalingSpec.TARGET, 1, errors);
    boolean minOk = min != null || !labels.containsKey(ScalingSpec.MIN);
    boolean maxOk = max != null || !labels.containsKey(ScalingSpec.MAX);
    int effMin = min == null ? ScalingSpec.DEFAULT.min() : min;
    int effMax = max == null ? ScalingSpec.DEFAULT.max() : max;
    if (minOk && maxOk && effMin > effMax) {
      errors.add(
          new FieldError(
              "labels." + ScalingSpec.MIN,
              "must not exceed " + ScalingSpec.MAX + " (" + effMin + " > " + effMax + ")"));
    }
    String proportion = labels.get(ScalingSpec.TARGET_PROPORTION);
    if (proportion != null) {
      Double p = parseDouble(proportion);
      if (p == null || p <= 0 || p > 1) {
        errors.add(
            new FieldError(
                "labels." + ScalingSpec.TARGET_PROPORTION,
                "must be a number in (0, 1], was '" + proportion + "'"));
      }
    }
    String type = labels.get(ScalingSpec.TYPE);
    if (type != null) {
      String t = type.trim().toLowerCase(Locale.ROOT);
      if (!t.equals("rps") && !t.equals("capacity")) {
        errors.add(
            new FieldError(
                "labels." + ScalingSpec.TYPE, "must be 'rps' or 'capacity', was '" + type + "'"));
      }
    }
    String zero = labels.get(ScalingSpec.ZERO);
    if (zero != null
        && !zero.trim().equalsIgnoreCase("true")
        && !zero.trim().equalsIgnoreCase("false")) {
      errors.add(
          new FieldError(
              "labels." + ScalingSpec.ZERO, "must be 'true' or 'false', was '" + zero + "'"));
    }
    String zeroDuration = labels.get(ScalingSpec.ZERO_DURATION);
    if (zeroDuration != null && GoDuration.parse(zeroDuration).isEmpty()) {
      errors.add(
          new FieldError(
              "labels." + ScalingSpec.ZERO_DURATION,
              "must be a duration like '30s' or '15m', was '" + zeroDuration + "'"));
    }
  }

  /** The {@link AsyncSpec} labels: retry attempts and waits, the async concurrency cap. */
  private static void validateAsync(Map<String, String> labels, List<FieldError> errors) {
    intLabel(labels, AsyncSpec.RETRY_ATTEMPTS, 1, errors);
    intLabel(labels, AsyncSpec.MAX_CONCURRENCY, 1, errors);
    Duration min = positiveDurationLabel(labels, AsyncSpec.RETRY_MIN_WAIT, errors);
    Duration max = positiveDurationLabel(labels, AsyncSpec.RETRY_MAX_WAIT, errors);
    if (min != null && max != null && min.compareTo(max) > 0) {
      errors.add(
          new FieldError(
              "labels." + AsyncSpec.RETRY_MIN_WAIT,
              "must not exceed "
                  + AsyncSpec.RETRY_MAX_WAIT
                  + " ("
                  + labels.get(AsyncSpec.RETRY_MIN_WAIT).trim()
                  + " > "
                  + labels.get(AsyncSpec.RETRY_MAX_WAIT).trim()
                  + ")"));
    }
  }

  /**
   * Parses a duration label that must be above zero (a zero wait would retry at once, forever
   * doubling nothing); records an error if not.
   */
  private static Duration positiveDurationLabel(
      Map<String, String> labels, String key, List<FieldError> errors) {
    String v = labels.get(key);
    if (v == null) {
      return null;
    }
    Duration d = GoDuration.parse(v).orElse(null);
    if (d == null || d.isZero()) {
      errors.add(
          new FieldError(
              "labels." + key, "must be a duration > 0 like '500ms' or '2s', was '" + v + "'"));
      return null;
    }
    return d;
  }

  /** Parses an integer label that must be at least {@code floor}; records an error if not. */
  private static Integer intLabel(
      Map<String, String> labels, String key, int floor, List<FieldError> errors) {
    String v = labels.get(key);
    if (v == null) {
      return null;
    }
    Integer n = parseInt(v);
    if (n == null || n < floor) {
      errors.add(
          new FieldError(
              "labels." + key, "must be a whole number >= " + floor + ", was '" + v + "'"));
      return null;
    }
    return n;
  }

  private static Integer parseInt(String v) {
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Double parseDouble(String v) {
    try {
      return Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
