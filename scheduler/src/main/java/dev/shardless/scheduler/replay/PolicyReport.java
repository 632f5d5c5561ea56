package dev.shardless.scheduler.replay;

import java.util.Locale;

/**
 * One policy's result over a whole trace.
 *
 * @param policy the policy's name
 * @param functions functions with at least one call
 * @param invocations calls measured
 * @param coldStarts replica starts on demand (each function's first busy minute excluded)
 * @param medianFunctionColdStartPct median over functions of their cold-start %
 * @param p75FunctionColdStartPct 75th percentile over functions of their cold-start %
 * @param idleReplicaMinutes warm replica-minutes without calls
 * @param idleVsFixed10mPct idle replica-minutes relative to a fixed 10-minute keep-alive, %
 */
public record PolicyReport(
    String policy,
    long functions,
    long invocations,
    long coldStarts,
    double medianFunctionColdStartPct,
    double p75FunctionColdStartPct,
    long idleReplicaMinutes,
    double idleVsFixed10mPct) {

  /** Cold starts per call, in percent. */
  public double coldStartPct() {
    return invocations == 0 ? 0 : 100.0 * coldStarts / invocations;
  }

  /** One JSON object with the keys of the replay's {@code --json} output. */
  public String toJson() {
    return String.format(
        Locale.ROOT,
        "{\"policy\":\"%s\",\"invocations\":%d,\"cold_starts\":%d,\"cold_start_pct\":%.6f,"
            + "\"median_function_cold_start_pct\":%.6f,\"p75_function_cold_start_pct\":%.6f,"
            + "\"idle_replica_minutes\":%d,\"idle_vs_fixed_10m_pct\":%.3f}",
        policy.replace("\\", "\\\\").replace("\"", "\\\""),
        invocations,
        coldStarts,
        coldStartPct(),
        medianFunctionColdStartPct,
        p75FunctionColdStartPct,
        idleReplicaMinutes,
        idleVsFixed10mPct);
  }
}
