package dev.shardless.k8s.operator;

import dev.shardless.k8s.crd.FunctionResource;
import dev.shardless.k8s.crd.FunctionResourceStatus;
import dev.shardless.scheduler.model.FieldError;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The status the operator writes on a Function. Pure. The {@code Ready} condition says whether the
 * function can take requests:
 *
 * <ul>
 *   <li>{@code True/Available}: at least one pod is Ready (e.g. 2 of 3 during a scale-up);
 *   <li>{@code True/ScaledToZero}: the entity scaled to 0 replicas; the next request starts one;
 *   <li>{@code False/Progressing}: replicas are wanted but none is Ready yet;
 *   <li>{@code False/InvalidSpec}: the spec is wrong, the message names each field; nothing built;
 *   <li>{@code False/ReconcileFailed}: the API server or the registry failed; retried with backoff.
 * </ul>
 *
 * <p>{@code lastTransitionTime} changes only when the condition's status does.
 */
public final class FunctionStatuses {
  public static final String READY = "Ready";
  public static final String AVAILABLE = "Available";
  public static final String SCALED_TO_ZERO = "ScaledToZero";
  public static final String PROGRESSING = "Progressing";
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String RECONCILE_FAILED = "ReconcileFailed";

  private FunctionStatuses() {}

  /** The status of a Function whose objects are applied and whose Deployment is {@code live}. */
  public static FunctionResourceStatus observed(FunctionResource fn, Deployment live, Instant now) {
    int desired = live.getSpec().getReplicas() == null ? 0 : live.getSpec().getReplicas();
    Integer readyField = live.getStatus() == null ? null : live.getStatus().getReadyReplicas();
    int ready = readyField == null ? 0 : readyField;
    FunctionResourceStatus status = base(fn);
    status.setReplicas(desired);
    status.setReadyReplicas(ready);
    if (ready > 0) {
      status
          .getConditions()
          .add(ready(fn, "True", AVAILABLE, ready + " of " + desired + " replicas ready", now));
    } else if (desired == 0) {
      status
          .getConditions()
          .add(ready(fn, "True", SCALED_TO_ZERO, "no replicas; the next request starts one", now));
    } else {
      status
          .getConditions()
          .add(ready(fn, "False", PROGRESSING, "0 of " + desired + " replicas ready", now));
    }
    return status;
  }

  /** The status of a Function with an invalid spec: each problem named in the message. */
  public static FunctionResourceStatus invalid(
      FunctionResource fn, List<FieldError> problems, Instant now) {
    String message = problems.stream().map(FieldError::toString).collect(Collectors.joining("; "));
    return failed(fn, INVALID_SPEC, message, now);
  }

  /** The status after a failure with {@code reason}; replica counts stay as last observed. */
  public static FunctionResourceStatus failed(
      FunctionResource fn, String reason, String message, Instant now) {
    FunctionResourceStatus status = base(fn);
    if (fn.getStatus() != null) {
      status.setReplicas(fn.getStatus().getReplicas());
      status.setReadyReplicas(fn.getStatus().getReadyReplicas());
    }
    status.getConditions().add(ready(fn, "False", reason, message, now));
    return status;
  }

  private static FunctionResourceStatus base(FunctionResource fn) {
    FunctionResourceStatus status = new FunctionResourceStatus();
    status.setObservedGeneration(fn.getMetadata().getGeneration());
    List<Condition> others = new ArrayList<>();
    if (fn.getStatus() != null) {
      fn.getStatus().getConditions().stream()
          .filter(c -> !READY.equals(c.getType()))
          .forEach(others::add);
    }
    status.setConditions(others);
    return status;
  }

  private static Condition ready(
      FunctionResource fn, String value, String reason, String message, Instant now) {
    Condition previous = fn.getStatus() == null ? null : fn.getStatus().condition(READY);
    String since =
        previous != null && value.equals(previous.getStatus())
            ? previous.getLastTransitionTime()
            : now.truncatedTo(ChronoUnit.SECONDS).toString();
    return new Condition(since, message, fn.getMetadata().getGeneration(), reason, value, READY);
  }
}
