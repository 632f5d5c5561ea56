package dev.shardless.scheduler.replay;

import dev.shardless.scheduler.policy.keepalive.Fixed;
import dev.shardless.scheduler.policy.keepalive.KeepAlivePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Replays a trace under several keep-alive policies at once: each function is read once and
 * simulated under every policy, so memory holds one row plus one number per function and policy.
 * Idle time is normalised to a fixed 10-minute keep-alive, which is simulated as well when it is
 * not among the policies asked for.
 */
public final class Replay {
  /** The baseline that idle time is normalised to. */
  public static final Fixed FIXED_10M = new Fixed(Duration.ofMinutes(10));

  private Replay() {}

  /**
   * @param runtimes mean run times for the concurrency model, or null for one replica per function
   * @param measureFrom minutes from the trace's first column that only teach the policies
   */
  public static List<PolicyReport> run(
      TraceReader trace, List<KeepAlivePolicy> policies, RuntimeTable runtimes, int measureFrom) {
    List<KeepAlivePolicy> all = new ArrayList<>(policies);
    int reference = all.indexOf(FIXED_10M);
    if (reference < 0) {
      all.add(FIXED_10M);
      reference = all.size() - 1;
    }
    Totals[] totals = new Totals[all.size()];
    for (int i = 0; i < totals.length; i++) {
      totals[i] = new Totals();
    }
    for (FunctionTrace f = trace.next(); f != null; f = trace.next()) {
      double runtime = runtimes == null ? -1 : runtimes.averageMillis(f.key());
      for (int i = 0; i < all.size(); i++) {
        totals[i].add(Simulator.run(all.get(i), f.counts(), runtime, measureFrom));
      }
    }
    long referenceIdle = totals[reference].idle;
    List<PolicyReport> reports = new ArrayList<>();
    for (int i = 0; i < policies.size(); i++) {
      reports.add(totals[i].report(policies.get(i).name(), referenceIdle));
    }
    return reports;
  }

  /** Percentile with linear interpolation between closest ranks (numpy's default). */
  static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }

  private static final class Totals {
    private long functions;
    private long invocations;
    private long cold;
    private long idle;
    private double[] pcts = new double[1024];

    void add(Simulator.Outcome o) {
      idle += o.idleReplicaMinutes();
      if (o.invocations() == 0) {
        return;
      }
      if (functions == pcts.length) {
        pcts = Arrays.copyOf(pcts, pcts.length * 2);
      }
      pcts[(int) functions++] = o.coldStartPct();
      invocations += o.invocations();
      cold += o.coldStarts();
    }

    PolicyReport report(String name, long referenceIdle) {
      double[] sorted = Arrays.copyOf(pcts, (int) functions);
      Arrays.sort(sorted);
      return new PolicyReport(
          name,
          functions,
          invocations,
          cold,
          percentile(sorted, 0.5),
          percentile(sorted, 0.75),
          idle,
          referenceIdle == 0 ? 0 : 100.0 * idle / referenceIdle);
    }
  }
}
