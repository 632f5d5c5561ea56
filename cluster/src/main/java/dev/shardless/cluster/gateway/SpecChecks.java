package dev.shardless.cluster.gateway;

import dev.shardless.scheduler.model.FieldError;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.FunctionSpecValidator;
import dev.shardless.scheduler.policy.keepalive.KeepAlivePolicies;
import java.util.ArrayList;
import java.util.List;

/**
 * Every check a function definition must pass before it is deployed, whether it comes through the
 * API or from an example's deploy file: the model's validator, plus the keep-alive labels, which
 * the model's package cannot reach (the policies depend on the model).
 */
public final class SpecChecks {
  private SpecChecks() {}

  /** All problems with {@code spec}, each naming its field; empty when it may be deployed. */
  public static List<FieldError> problems(FunctionSpec spec, boolean requireEnvProcess) {
    List<FieldError> errors =
        new ArrayList<>(FunctionSpecValidator.validate(spec, requireEnvProcess));
    if (KeepAlivePolicies.fromLabels(spec.labels()) instanceof KeepAlivePolicies.Invalid bad) {
      for (FieldError e : bad.errors()) {
        if (errors.stream().noneMatch(known -> known.field().equals(e.field()))) {
          errors.add(e);
        }
      }
    }
    return errors;
  }
}
