package dev.shardless.scheduler.entity;

import dev.shardless.scheduler.entity.FunctionEntity.ScalingChange;
import dev.shardless.scheduler.entity.FunctionEntity.ScalingStatus;
import dev.shardless.scheduler.model.ScalingSpec;
import dev.shardless.scheduler.policy.AutoscaleSettings;
import dev.shardless.scheduler.policy.IdleRule;
import dev.shardless.scheduler.policy.LoadSnapshot;
import dev.shardless.scheduler.policy.ScaleDecision;
import dev.shardless.scheduler.policy.ScaleReason;
import dev.shardless.scheduler.policy.ScalingPolicy;
import dev.shardless.scheduler.policy.ScalingState;
import dev.shardless.scheduler.port.SchedulerTelemetry.FunctionTelemetry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The entity's side of the {@link ScalingPolicy}: carries the policy's memory from one evaluation
 * to the next and keeps what the status reports (evaluations counted by reason, the last few
 * replica-count changes). Mutable and confined to the entity's actor; lost with the incarnation,
 * which only means the windows start empty (the next evaluations see fresh load).
 */
final class Autoscaler {
  private final ScalingPolicy policy;
  private final int historySize;
  private final FunctionTelemetry telemetry;
  private final EnumMap<ScaleReason, Long> counts = new EnumMap<>(ScaleReason.class);
  private final ArrayDeque<ScalingChange> recent = new ArrayDeque<>();
  private ScalingState state = ScalingState.EMPTY;
  private ScaleReason lastReason;
  private boolean reasonChanged;

  Autoscaler(AutoscaleSettings settings, IdleRule idleRule, FunctionTelemetry telemetry) {
    this.policy = new ScalingPolicy(settings, idleRule);
    this.historySize = settings.decisionHistory();
    this.telemetry = telemetry;
  }

  Duration interval() {
    return policy.settings().evaluationInterval();
  }

  /**
   * Evaluates the policy, remembers its memory, counts the reason (here and in the telemetry) and
   * records a change.
   */
  ScaleDecision evaluate(LoadSnapshot snapshot, ScalingSpec spec) {
    ScalingPolicy.Outcome o = policy.decide(state, snapshot, spec);
    state = o.state();
    ScaleDecision d = o.decision();
    counts.merge(d.reason(), 1L, Long::sum);
    reasonChanged = d.reason() != lastReason;
    lastReason = d.reason();
    boolean changed = d instanceof ScaleDecision.ScaleTo to && to.replicas() != snapshot.desired();
    telemetry.decided(d.reason(), changed);
    if (changed) {
      ScaleDecision.ScaleTo to = (ScaleDecision.ScaleTo) d;
      if (recent.size() == historySize) {
        recent.pollFirst();
      }
      recent.addLast(
          new ScalingChange(
              snapshot.at().toEpochMilli(),
              snapshot.desired(),
              to.replicas(),
              to.reason().name(),
              to.detail()));
    }
    return d;
  }

  /** An operator asked for {@code replicas}: not scaled below for one scale-down window. */
  void requested(int replicas, java.time.Instant at) {
    state = state.withRequest(replicas, at);
  }

  /** True when the last evaluation's reason differs from the one before (worth a log line). */
  boolean reasonChanged() {
    return reasonChanged;
  }

  ScalingStatus status(boolean autoscaling, int desired, KeepAlive keepAlive) {
    Map<String, Long> byReason = new LinkedHashMap<>();
    counts.forEach((k, v) -> byReason.put(k.name(), v));
    List<ScalingChange> changes = new ArrayList<>(recent);
    return new ScalingStatus(
        autoscaling,
        desired,
        byReason,
        changes,
        keepAlive.policyName(),
        keepAlive.prewarms(),
        keepAlive.hits(),
        keepAlive.misses());
  }
}
