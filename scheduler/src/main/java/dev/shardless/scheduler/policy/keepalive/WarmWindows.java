package dev.shardless.scheduler.policy.keepalive;

/**
 * Chooses the minutes after activity during which a replica should be warm, given the distribution
 * of the next idle time, so that the expected idle replica-minutes plus {@code coldStartCost} × the
 * probability of a cold start is smallest.
 *
 * <p>Minute {@code k} after activity (bin {@code k}) costs, if warm, {@code S(k) = P(idle > k)}
 * (the replica waits through it with no call) and saves, if the call comes in it, {@code λ p(k)} (λ
 * = coldStartCost in minutes). Its net weight is {@code w(k) = S(k) - λ p(k)}; a set of warm
 * minutes is worth taking when its weights sum below zero. The warm set is restricted to what the
 * entity can carry out with one replica: a keep-alive prefix {@code [0, keep)} and at most one
 * pre-warm window {@code [from, to)} at least {@link #MIN_UNLOADED_MINUTES} after it. The best such
 * pair is found exactly in O(bins): the best window starting at or after each bin comes from one
 * right-to-left pass (Kadane's minimum sub-array), then every prefix length is tried.
 *
 * <p>Example, λ = 10, idle times always 29 to 31 minutes (p = 1/3 each): w(k) = 1 for k < 29, w(29)
 * = 2/3 - 10/3 < 0, w(30) = 1/3 - 10/3 < 0, w(31) = -10/3 → keep 0, pre-warm [29, 32). Memoryless
 * calls with mean idle time m minutes: w(k) ∝ (m - λ) for every k, so the replica is kept for the
 * whole range when m < λ and unloaded at once otherwise: λ is the mean idle time beyond which
 * waiting for a random call no longer pays.
 */
final class WarmWindows {
  /**
   * Fewest minutes a replica stays unloaded between keep-alive and pre-warm: stopping a replica and
   * starting it again a minute later saves at most one idle minute but costs a start (process or
   * pod, runtime warm-up), so such windows are merged into the keep-alive instead.
   */
  static final int MIN_UNLOADED_MINUTES = 2;

  /** Expected savings smaller than this (in replica-minutes) are rounding noise, not a reason. */
  private static final double EPSILON = 1e-9;

  private WarmWindows() {}

  /**
   * The chosen windows in minutes after activity end.
   *
   * @param keep keep-alive minutes {@code [0, keep)}
   * @param from first pre-warmed minute, or -1 for no pre-warm
   * @param to end of the pre-warm window (exclusive), or -1
   */
  record Plan(int keep, int from, int to) {
    boolean prewarms() {
      return from >= 0;
    }
  }

  /** Expected idle minutes and probability of a cold start of a plan under {@code p}. */
  record Expectation(double idleMinutes, double coldProbability) {}

  static Expectation expect(double[] p, Plan plan) {
    double idle = 0;
    double warmHits = 0;
    double survival = 1;
    for (int k = 0; k < p.length; k++) {
      survival -= p[k];
      if (k < plan.keep() || (k >= plan.from() && k < plan.to())) {
        idle += Math.max(0, survival);
        warmHits += p[k];
      }
    }
    return new Expectation(idle, Math.max(0, 1 - warmHits));
  }

  /**
   * The cheapest plan that expects no more cold starts and no more idle time than {@code baseline}:
   * {@link #choose} with the smallest cold-start cost, from {@code lambda} up, whose plan's
   * cold-start probability is within the baseline's (found by bisection on a log scale), or the
   * baseline itself when no such plan also idles less.
   */
  static Plan noWorseThan(double[] p, double lambda, Plan baseline) {
    Expectation base = expect(p, baseline);
    Plan plan = choose(p, lambda);
    if (expect(p, plan).coldProbability() > base.coldProbability() + EPSILON) {
      double lo = lambda;
      double hi = lambda * MAX_LAMBDA_FACTOR;
      Plan best = null;
      for (int i = 0; i < BISECTIONS; i++) {
        double mid = Math.sqrt(lo * hi);
        Plan candidate = choose(p, mid);
        if (expect(p, candidate).coldProbability() > base.coldProbability() + EPSILON) {
          lo = mid;
        } else {
          hi = mid;
          best = candidate;
        }
      }
      plan = best == null ? baseline : best;
    }
    return expect(p, plan).idleMinutes() > base.idleMinutes() + EPSILON ? baseline : plan;
  }

  /** Cold starts are never worth more than this many times the configured cost in the search. */
  private static final double MAX_LAMBDA_FACTOR = 4096;

  /** Bisection steps: the cost is found within a factor 4096^(1/2^12), well under 1 %. */
  private static final int BISECTIONS = 12;

  /**
   * @param p probability of the next call coming in minute k after activity end, k < p.length; the
   *     rest of the mass (1 - Σp) lies beyond the range
   * @param lambda value of one avoided cold start in idle replica-minutes, > 0
   */
  static Plan choose(double[] p, double lambda) {
    int n = p.length;
    double[] w = new double[n];
    double survival = 1;
    for (int k = 0; k < n; k++) {
      survival -= p[k];
      w[k] = Math.max(0, survival) - lambda * p[k];
    }
    // best[i]: the smallest window sum starting at or after i (0 = no window), and its bounds.
    double[] best = new double[n + 2];
    int[] bestFrom = new int[n + 2];
    int[] bestTo = new int[n + 2];
    bestFrom[n] = bestFrom[n + 1] = -1;
    bestTo[n] = bestTo[n + 1] = -1;
    double startingHere = 0;
    int endOfStarting = n;
    for (int i = n - 1; i >= 0; i--) {
      if (startingHere < 0) {
        startingHere += w[i];
      } else {
        startingHere = w[i];
        endOfStarting = i + 1;
      }
      if (startingHere < best[i + 1]) {
        best[i] = startingHere;
        bestFrom[i] = i;
        bestTo[i] = endOfStarting;
      } else {
        best[i] = best[i + 1];
        bestFrom[i] = bestFrom[i + 1];
        bestTo[i] = bestTo[i + 1];
      }
    }
    int gap = MIN_UNLOADED_MINUTES;
    int bestKeep = 0;
    double bestCost = best[Math.min(n + 1, gap)];
    double prefix = 0;
    for (int keep = 1; keep <= n; keep++) {
      prefix += w[keep - 1];
      double cost = prefix + best[Math.min(n + 1, keep + gap)];
      if (cost < bestCost - EPSILON) {
        bestCost = cost;
        bestKeep = keep;
      }
    }
    int next = Math.min(n + 1, bestKeep + gap);
    if (bestFrom[next] < 0 || best[next] > -EPSILON) {
      return new Plan(bestKeep, -1, -1);
    }
    return new Plan(bestKeep, bestFrom[next], bestTo[next]);
  }
}
