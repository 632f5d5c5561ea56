package dev.shardless.k8s.crd;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.Resources;
import dev.shardless.scheduler.model.ScalingSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Converts between the scheduler's {@link FunctionSpec} and the {@link FunctionResource}. Pure.
 *
 * <p>The {@code com.openfaas.scale.*} labels become the typed {@code spec.scaling} fields when
 * their value is in the canonical form the field reads back as ({@code "3"}, {@code "0.5"}, {@code
 * "capacity"}, {@code "true"}, {@code "15m"}); any other value (e.g. {@code " 3"} or {@code "abc"})
 * stays a label, so that {@code toSpec(toResource(spec)).equals(spec)} for every spec, valid or
 * not. Example: labels {@code {com.openfaas.scale.max: "5", team: "a"}} become {@code scaling.max:
 * 5} and labels {@code {team: "a"}}. Back from a resource, a {@code spec.scaling} field wins over a
 * label of the same meaning that someone wrote next to it.
 */
public final class FunctionMapping {
  /** A Go duration or a bare number of seconds; the CRD's pattern for {@code zeroDuration}. */
  public static final Pattern GO_DURATION =
      Pattern.compile("([0-9]+(\\.[0-9]+)?|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)");

  private FunctionMapping() {}

  /** The Function resource for {@code spec}, named and namespaced after its id. */
  public static FunctionResource toResource(FunctionSpec spec) {
    FunctionResource resource = new FunctionResource();
    resource.setMetadata(
        new ObjectMetaBuilder()
            .withName(spec.id().name())
            .withNamespace(spec.id().namespace())
            .build());
    FunctionResourceSpec s = new FunctionResourceSpec();
    s.setImage(spec.image());
    s.setEnvProcess(spec.envProcess().isEmpty() ? null : spec.envProcess());
    s.setEnvVars(spec.envVars().isEmpty() ? null : new TreeMap<>(spec.envVars()));
    s.setConstraints(spec.constraints().isEmpty() ? null : new ArrayList<>(spec.constraints()));
    s.setSecrets(spec.secrets().isEmpty() ? null : new ArrayList<>(spec.secrets()));
    Map<String, String> labels = new TreeMap<>(spec.labels());
    FunctionScaling scaling = extractScaling(labels);
    s.setLabels(labels.isEmpty() ? null : labels);
    s.setScaling(scaling);
    s.setAnnotations(spec.annotations().isEmpty() ? null : new TreeMap<>(spec.annotations()));
    s.setLimits(quantities(spec.limits()));
    s.setRequests(quantities(spec.requests()));
    s.setReadOnlyRootFilesystem(spec.readOnlyRootFilesystem() ? Boolean.TRUE : null);
    resource.setSpec(s);
    return resource;
  }

  /** The scheduler's spec for {@code resource}: its scaling fields back as labels. */
  public static FunctionSpec toSpec(FunctionResource resource) {
    String namespace = resource.getMetadata().getNamespace();
    String name = resource.getMetadata().getName();
    FunctionId id = new FunctionId(namespace == null ? "" : namespace, name == null ? "" : name);
    FunctionResourceSpec s =
        resource.getSpec() == null ? new FunctionResourceSpec() : resource.getSpec();
    Map<String, String> labels = new LinkedHashMap<>();
    if (s.getLabels() != null) {
      labels.putAll(s.getLabels());
    }
    FunctionScaling scaling = s.getScaling();
    if (scaling != null) {
      putIfSet(
          labels, ScalingSpec.MIN, scaling.getMin() == null ? null : scaling.getMin().toString());
      putIfSet(
          labels, ScalingSpec.MAX, scaling.getMax() == null ? null : scaling.getMax().toString());
      putIfSet(
          labels,
          ScalingSpec.TARGET,
          scaling.getTarget() == null ? null : scaling.getTarget().toString());
      putIfSet(
          labels,
          ScalingSpec.TARGET_PROPORTION,
          scaling.getTargetProportion() == null ? null : decimal(scaling.getTargetProportion()));
      putIfSet(labels, ScalingSpec.TYPE, scaling.getType());
      putIfSet(
          labels,
          ScalingSpec.ZERO,
          scaling.getZero() == null ? null : scaling.getZero().toString());
      putIfSet(labels, ScalingSpec.ZERO_DURATION, scaling.getZeroDuration());
    }
    return new FunctionSpec(
        id,
        s.getImage(),
        s.getEnvProcess(),
        s.getEnvVars(),
        s.getConstraints(),
        s.getSecrets(),
        labels,
        s.getAnnotations(),
        resources(s.getLimits()),
        resources(s.getRequests()),
        Boolean.TRUE.equals(s.getReadOnlyRootFilesystem()));
  }

  /**
   * Where a field that {@code FunctionSpecValidator} names lives in {@code resource}, so that a
   * condition message points at what the user wrote: {@code service} is {@code metadata.name},
   * {@code labels.com.openfaas.scale.min} is {@code spec.scaling.min} when that field is set, and
   * everything else is under {@code spec.}.
   */
  public static String resourceField(FunctionResource resource, String specField) {
    switch (specField) {
      case "service":
        return "metadata.name";
      case "namespace":
        return "metadata.namespace";
      default:
        break;
    }
    FunctionScaling scaling = resource.getSpec() == null ? null : resource.getSpec().getScaling();
    if (scaling != null && specField.startsWith("labels." + ScalingSpec.PREFIX)) {
      String label = specField.substring("labels.".length());
      Object value =
          switch (label) {
            case ScalingSpec.MIN -> scaling.getMin();
            case ScalingSpec.MAX -> scaling.getMax();
            case ScalingSpec.TARGET -> scaling.getTarget();
            case ScalingSpec.TARGET_PROPORTION -> scaling.getTargetProportion();
            case ScalingSpec.TYPE -> scaling.getType();
            case ScalingSpec.ZERO -> scaling.getZero();
            case ScalingSpec.ZERO_DURATION -> scaling.getZeroDuration();
            default -> null;
          };
      if (value != null) {
        return "spec.scaling." + scalingField(label);
      }
    }
    return "spec." + specField;
  }

  private static String scalingField(String label) {
    return switch (label) {
      case ScalingSpec.TARGET_PROPORTION -> "targetProportion";
      case ScalingSpec.ZERO_DURATION -> "zeroDuration";
      default -> label.substring(ScalingSpec.PREFIX.length());
    };
  }

  /** Removes the canonical scaling labels from {@code labels}; null when there were none. */
  private static FunctionScaling extractScaling(Map<String, String> labels) {
    FunctionScaling scaling = new FunctionScaling();
    boolean any = false;
    Integer min = canonicalInt(labels.get(ScalingSpec.MIN));
    if (min != null) {
      scaling.setMin(min);
      labels.remove(ScalingSpec.MIN);
      any = true;
    }
    Integer max = canonicalInt(labels.get(ScalingSpec.MAX));
    if (max != null) {
      scaling.setMax(max);
      labels.remove(ScalingSpec.MAX);
      any = true;
    }
    Integer target = canonicalInt(labels.get(ScalingSpec.TARGET));
    if (target != null) {
      scaling.setTarget(target);
      labels.remove(ScalingSpec.TARGET);
      any = true;
    }
    Double proportion = canonicalDecimal(labels.get(ScalingSpec.TARGET_PROPORTION));
    if (proportion != null) {
      scaling.setTargetProportion(proportion);
      labels.remove(ScalingSpec.TARGET_PROPORTION);
      any = true;
    }
    String type = labels.get(ScalingSpec.TYPE);
    if ("rps".equals(type) || "capacity".equals(type)) {
      scaling.setType(type);
      labels.remove(ScalingSpec.TYPE);
      any = true;
    }
    String zero = labels.get(ScalingSpec.ZERO);
    if ("true".equals(zero) || "false".equals(zero)) {
      scaling.setZero(Boolean.valueOf(zero));
      labels.remove(ScalingSpec.ZERO);
      any = true;
    }
    String zeroDuration = labels.get(ScalingSpec.ZERO_DURATION);
    if (zeroDuration != null && GO_DURATION.matcher(zeroDuration).matches()) {
      scaling.setZeroDuration(zeroDuration);
      labels.remove(ScalingSpec.ZERO_DURATION);
      any = true;
    }
    return any ? scaling : null;
  }

  /** The integer {@code v} spells exactly ({@code "7"}, {@code "-1"}), else null. */
  private static Integer canonicalInt(String v) {
    if (v == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(v);
      return Integer.toString(n).equals(v) ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The number {@code v} spells exactly as {@link #decimal} writes it, else null. */
  private static Double canonicalDecimal(String v) {
    if (v == null) {
      return null;
    }
    try {
      double d = Double.parseDouble(v);
      return Double.isFinite(d) && decimal(d).equals(v) ? d : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Shortest plain decimal: 0.9 → "0.9", 1.0 → "1". */
  private static String decimal(double d) {
    if (!Double.isFinite(d)) {
      return Double.toString(d);
    }
    BigDecimal b = BigDecimal.valueOf(d).stripTrailingZeros();
    return b.scale() < 0 ? b.setScale(0).toPlainString() : b.toPlainString();
  }

  private static void putIfSet(Map<String, String> labels, String key, String value) {
    if (value != null) {
      labels.put(key, value);
    }
  }

  private static FunctionQuantities quantities(Resources r) {
    return r.isEmpty() ? null : new FunctionQuantities(r.memory(), r.cpu());
  }

  private static Resources resources(FunctionQuantities q) {
    return q == null ? Resources.NONE : new Resources(q.getMemory(), q.getCpu());
  }
}
