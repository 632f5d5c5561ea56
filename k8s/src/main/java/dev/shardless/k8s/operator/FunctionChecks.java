package dev.shardless.k8s.operator;

import dev.shardless.k8s.crd.FunctionMapping;
import dev.shardless.k8s.crd.FunctionResource;
import dev.shardless.scheduler.model.FieldError;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.FunctionSpecValidator;
import dev.shardless.scheduler.model.Resources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Everything wrong with a Function, each problem naming the field as the user wrote it ({@code
 * spec.scaling.min}, {@code spec.envVars.max_inflight}, {@code metadata.name}). Pure. Covers what
 * the CRD's schema cannot say on Kubernetes 1.20 (or what a server without schema validation let
 * through): the scheduler's rules from {@link FunctionSpecValidator}, plus what the API server
 * would reject in the Deployment the operator builds (constraints, Secret names, quantities,
 * annotation keys, environment variable names).
 */
public final class FunctionChecks {
  /** Kubernetes 1.20's rule for environment variable names. */
  private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

  private FunctionChecks() {}

  /** The problems with {@code resource} (whose spec is {@code spec}), empty when it is valid. */
  public static List<FieldError> problems(FunctionResource resource, FunctionSpec spec) {
    List<FieldError> errors = new ArrayList<>();
    for (FieldError e : FunctionSpecValidator.validate(spec, false)) {
      errors.add(new FieldError(FunctionMapping.resourceField(resource, e.field()), e.message()));
    }
    for (String key : spec.envVars().keySet()) {
      if (!ENV_NAME.matcher(key).matches()) {
        errors.add(
            new FieldError(
                "spec.envVars." + key,
                "must be an environment variable name (letters, digits, '_', '-' or '.', not"
                    + " starting with a digit)"));
      }
    }
    List<String> constraints = spec.constraints();
    for (int i = 0; i < constraints.size(); i++) {
      String c = constraints.get(i);
      String[] kv = c.split("=", -1);
      if (kv.length != 2
          || !KubernetesSyntax.isQualifiedName(kv[0])
          || !KubernetesSyntax.isLabelValue(kv[1])) {
        errors.add(
            new FieldError(
                "spec.constraints[" + i + "]",
                "must be 'key=value' with a node label key and value, was '" + c + "'"));
      }
    }
    List<String> secrets = spec.secrets();
    for (int i = 0; i < secrets.size(); i++) {
      if (!KubernetesSyntax.isDnsSubdomain(secrets.get(i))) {
        errors.add(
            new FieldError(
                "spec.secrets[" + i + "]",
                "must be a Secret name (DNS-1123 subdomain), was '" + secrets.get(i) + "'"));
      }
    }
    checkQuantities("spec.limits", spec.limits(), errors);
    checkQuantities("spec.requests", spec.requests(), errors);
    for (Map.Entry<String, String> a : spec.annotations().entrySet()) {
      if (!KubernetesSyntax.isQualifiedName(a.getKey())) {
        errors.add(
            new FieldError(
                "spec.annotations." + a.getKey(),
                "must be an annotation key ([prefix/]name, name at most 63 characters)"));
      }
    }
    return errors;
  }

  private static void checkQuantities(String field, Resources r, List<FieldError> errors) {
    if (r.memory() != null && !KubernetesSyntax.isQuantity(r.memory())) {
      errors.add(
          new FieldError(
              field + ".memory", "must be a quantity like '128Mi', was '" + r.memory() + "'"));
    }
    if (r.cpu() != null && !KubernetesSyntax.isQuantity(r.cpu())) {
      errors.add(
          new FieldError(field + ".cpu", "must be a quantity like '500m', was '" + r.cpu() + "'"));
    }
  }
}
