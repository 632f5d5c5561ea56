package dev.shardless.scheduler.replay;

import dev.shardless.scheduler.policy.keepalive.IdleTimeHistogram;
import dev.shardless.scheduler.policy.keepalive.KeepAliveDecision;
import dev.shardless.scheduler.policy.keepalive.KeepAlivePolicy;
import java.time.Duration;
import java.time.Instant;

/**
 * Runs one keep-alive policy over one function's per-minute trace in simulated time, calling the
 * same {@link KeepAlivePolicy} code that the entity calls.
 *
 * <p>The model (docs/scaling.md, "Replay"):
 *
 * <ul>
 *   <li>Time is in whole minutes; minute {@code m} starts at {@code EPOCH + m minutes}. Calls start
 *       at the beginning of their minute and are done by its end, so activity in minute {@code m}
 *       ends at {@code m + 1} and the idle time before a call in minute {@code m'} is {@code m' - m
 *       - 1} minutes.
 *   <li>A minute with calls needs {@code r} replicas: 1 in the single-instance model; with run
 *       times, {@code ceil(calls × mean run time / 60 s)} (the replica-seconds of work in that
 *       minute, at one call at a time per replica). Replica {@code j} is busy in the minutes that
 *       need at least {@code j} replicas; each replica rank runs the policy on its own busy
 *       minutes, with its own learned state.
 *   <li>A busy minute is a cold start when its replica is not warm at the minute's start: warm
 *       means inside the decision's keep-alive {@code [end, unloadAt)} or pre-warm {@code
 *       [prewarmAt, prewarmUntil)}. A warm minute without calls is one idle replica-minute. Idle
 *       time after the last call is counted up to the end of the trace.
 *   <li>The function's first busy minute is excluded: its starts are not counted as cold and its
 *       calls are not in the per-function denominator (every policy starts from nothing).
 *   <li>Minutes before {@code measureFrom} only teach the policy: nothing in them is counted.
 * </ul>
 */
public final class Simulator {
  private static final Instant EPOCH = Instant.EPOCH;

  private Simulator() {}

  /**
   * What one function cost under one policy.
   *
   * @param invocations calls in the measured minutes
   * @param countedInvocations calls in the measured minutes after the first busy minute
   * @param coldStarts replica starts on demand in counted minutes
   * @param idleReplicaMinutes warm replica-minutes without calls in the measured minutes
   */
  public record Outcome(
      long invocations, long countedInvocations, long coldStarts, long idleReplicaMinutes) {

    /** Cold starts per counted call, in percent; 0 when nothing was counted. */
    public double coldStartPct() {
      return countedInvocations == 0 ? 0 : 100.0 * coldStarts / countedInvocations;
    }
  }

  /**
   * @param counts calls per minute
   * @param meanRuntimeMillis mean run time per call, or <= 0 for the single-instance model
   * @param measureFrom index of the first minute counted (0 = all)
   */
  public static Outcome run(
      KeepAlivePolicy policy, int[] counts, double meanRuntimeMillis, int measureFrom) {
    int[] needs = new int[counts.length];
    int layers = 0;
    int firstBusy = -1;
    long invocations = 0;
    long counted = 0;
    for (int m = 0; m < counts.length; m++) {
      if (counts[m] == 0) {
        continue;
      }
      needs[m] = replicasNeeded(counts[m], meanRuntimeMillis);
      layers = Math.max(layers, needs[m]);
      if (firstBusy < 0) {
        firstBusy = m;
      }
      if (m >= measureFrom) {
        invocations += counts[m];
        if (m != firstBusy) {
          counted += counts[m];
        }
      }
    }
    long cold = 0;
    long idle = 0;
    for (int layer = 1; layer <= layers; layer++) {
      long[] costs = runLayer(policy, needs, layer, firstBusy, measureFrom);
      cold += costs[0];
      idle += costs[1];
    }
    return new Outcome(invocations, counted, cold, idle);
  }

  /** Replicas busy in a minute with {@code calls} calls of {@code meanMillis} each (>= 1). */
  static int replicasNeeded(int calls, double meanMillis) {
    if (meanMillis <= 0) {
      return 1;
    }
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(calls * meanMillis / 60_000)));
  }

  /** {cold starts, idle minutes} of the replica of rank {@code layer}. */
  private static long[] runLayer(
      KeepAlivePolicy policy, int[] needs, int layer, int firstBusy, int measureFrom) {
    int n = needs.length;
    IdleTimeHistogram state = policy.initialState();
    Warm warm = null;
    int last = -1;
    long cold = 0;
    long idle = 0;
    for (int m = 0; m < n; m++) {
      if (needs[m] < layer) {
        continue;
      }
      if (warm != null) {
        idle += warm.warmMinutesIn(Math.max(last + 1, measureFrom), m);
        state = policy.observe(state, Duration.ofMinutes(m - last - 1L));
      }
      boolean isWarm = warm != null && warm.contains(m);
      if (!isWarm && m != firstBusy && m >= measureFrom) {
        cold++;
      }
      Instant end = minute(m + 1);
      warm = Warm.of(policy.decide(state, end, end));
      last = m;
    }
    if (warm != null) {
      idle += warm.warmMinutesIn(Math.max(last + 1, measureFrom), n);
    }
    return new long[] {cold, idle};
  }

  static Instant minute(long m) {
    return EPOCH.plusSeconds(m * 60);
  }

  /** The minutes whose start lies in a warm interval: [keepFrom, keepTo) ∪ [preFrom, preTo). */
  private record Warm(long keepFrom, long keepTo, long preFrom, long preTo) {
    static Warm of(KeepAliveDecision d) {
      long from = -1;
      long to = -1;
      if (d instanceof KeepAliveDecision.UnloadThenPrewarm p) {
        from = ceilMinute(p.prewarmAt());
        to = ceilMinute(p.prewarmUntil());
      }
      return new Warm(Long.MIN_VALUE, ceilMinute(d.unloadAt()), from, to);
    }

    boolean contains(long m) {
      return (m >= keepFrom && m < keepTo) || (m >= preFrom && m < preTo);
    }

    long warmMinutesIn(long from, long to) {
      return overlap(from, to, keepFrom, keepTo) + overlap(from, to, preFrom, preTo);
    }

    private static long overlap(long a, long b, long c, long d) {
      return Math.max(0, Math.min(b, d) - Math.max(a, c));
    }
  }

  private static long ceilMinute(Instant t) {
    long s = t.getEpochSecond() + (t.getNano() > 0 ? 1 : 0);
    return Math.floorDiv(s + 59, 60);
  }
}
