package dev.shardless.scheduler.policy.keepalive;

import dev.shardless.scheduler.model.GoDuration;
import java.time.Duration;
import java.time.Instant;

/**
 * Shardless's keep-alive: learns each function's idle times and keeps its replica warm exactly in
 * the minutes where that pays, which may mean unloading at once and pre-warming shortly before the
 * next predicted call.
 *
 * <p><b>Rule.</b> With the learned distribution {@code p(k)} of the next idle time (minute {@code
 * k} after activity), choose the warm minutes that minimise expected idle replica-minutes + {@code
 * coldStartCost} × P(cold start): a keep-alive prefix and at most one pre-warm window, solved
 * exactly by {@link WarmWindows}. Unlike the hybrid histogram, which always covers the 5th to 99th
 * percentile whatever it costs, this spends idle time only where calls are likely enough: a
 * function called every 30 minutes ± 1 gets a three-minute window instead of half an hour, and a
 * function whose calls are random and sparse is not kept waiting for them.
 *
 * <p><b>Guard.</b> If that plan expects more cold starts than a fixed keep-alive of {@code
 * coldStartCost} would on the learned distribution, the cost is raised until it does not; if the
 * plan then expects more idle time than that fixed keep-alive, the fixed keep-alive is used ({@link
 * WarmWindows#noWorseThan}). So, in expectation under what was learned, adaptive is never worse
 * than the fixed keep-alive it replaces on either axis.
 *
 * <p><b>Learning.</b> Until {@code minObservations} idle times are known the replica is kept for
 * {@code learningKeepAlive}, as the paper does while its histogram is not representative. This is a
 * one-off cost per function (at most {@code minObservations × learningKeepAlive} of one replica
 * over its lifetime) that saves the early cold starts a fresh, rarely called function would
 * otherwise have.
 *
 * <p><b>Parameters</b> ({@link #withBudget} gives Shardless's values):
 *
 * <ul>
 *   <li>{@code bins} = 240 (4 hours of one-minute bins): the paper's range; longer idle times are
 *       cold whatever we do, unless a replica waits hours for them.
 *   <li>{@code coldStartCost} = the function's {@code com.openfaas.scale.zero-duration} (replay:
 *       10m): the idle replica-time one avoided cold start is worth. It is the operator's own
 *       exchange rate: a fixed keep-alive of D spends up to D of idle time per call to avoid its
 *       cold start. For memoryless calls with mean idle time m the rule keeps the replica iff m < D
 *       (see {@link WarmWindows}), so D keeps its meaning.
 *   <li>{@code learningKeepAlive} = the range (4h), as the paper's standard keep-alive.
 *   <li>{@code minObservations} = 2: the fewest idle times that can show a repeat; one idle time
 *       shows no pattern, only a value.
 *   <li>{@code retention} = 0.99: each idle time's weight halves after about 69 later ones, so a
 *       function called every 20 minutes that changes its pattern is relearned within a day, while
 *       a daily cycle of a busy function still spans many samples.
 * </ul>
 *
 * <p>Example, coldStartCost 10m, idle times seen: 59, 60, 60, 61 minutes. With the {@link #UNSEEN}
 * one, P(59) = P(61) ≈ 0.2, P(60) ≈ 0.4 → unload at once, pre-warm [59m, 62m): three warm minutes
 * instead of a cold start every hour (fixed 10m) or the hybrid histogram's 15-minute window
 * (pre-warm at 53m, keep until 68m).
 *
 * @param bins histogram range in one-minute bins, >= 1
 * @param coldStartCost idle replica-time worth spending to avoid one cold start, > 0
 * @param learningKeepAlive keep-alive while fewer than {@code minObservations} idle times are known
 * @param minObservations idle times needed before the learned distribution is used, >= 1
 * @param retention weight kept by earlier idle times at each new one, in (0, 1]
 */
public record Adaptive(
    int bins,
    Duration coldStartCost,
    Duration learningKeepAlive,
    int minObservations,
    double retention)
    implements KeepAlivePolicy {

  /** The idle budget that makes {@code adaptive} comparable with {@code fixed-10m}. */
  public static final Duration DEFAULT_BUDGET = Duration.ofMinutes(10);

  /** The histogram range: the paper's 4 hours. */
  public static final int BINS = 240;

  public Adaptive {
    if (bins < 1) {
      throw new IllegalArgumentException("bins must be >= 1, was " + bins);
    }
    if (coldStartCost.isNegative() || coldStartCost.isZero()) {
      throw new IllegalArgumentException("coldStartCost must be > 0, was " + coldStartCost);
    }
    if (learningKeepAlive.isNegative()) {
      throw new IllegalArgumentException("learningKeepAlive must be >= 0");
    }
    if (minObservations < 1) {
      throw new IllegalArgumentException("minObservations must be >= 1, was " + minObservations);
    }
  }

  /** Shardless's parameters with {@code budget} as the cost of a cold start. */
  public static Adaptive withBudget(Duration budget) {
    return new Adaptive(BINS, budget, IdleTimeHistogram.BIN.multipliedBy(BINS), 2, 0.99);
  }

  @Override
  public String name() {
    return coldStartCost.equals(DEFAULT_BUDGET)
        ? "adaptive"
        : "adaptive-" + GoDuration.format(coldStartCost);
  }

  @Override
  public IdleTimeHistogram initialState() {
    return IdleTimeHistogram.empty(bins, retention);
  }

  @Override
  public KeepAliveDecision decide(IdleTimeHistogram h, Instant now, Instant lastActivityEnd) {
    if (h.observations() < minObservations || h.totalWeight() <= 0) {
      return new KeepAliveDecision.KeepAlive(
          lastActivityEnd.plus(learningKeepAlive),
          "learning ("
              + h.observations()
              + " of "
              + minObservations
              + " idle times seen): keep "
              + GoDuration.format(learningKeepAlive));
    }
    double lambda = coldStartCost.toMillis() / 60_000.0;
    int baselineMinutes = (int) Math.min(bins, Math.ceil(lambda));
    WarmWindows.Plan plan =
        WarmWindows.noWorseThan(
            distribution(h), lambda, new WarmWindows.Plan(baselineMinutes, -1, -1));
    Instant unload = lastActivityEnd.plus(IdleTimeHistogram.BIN.multipliedBy(plan.keep()));
    if (!plan.prewarms()) {
      return new KeepAliveDecision.KeepAlive(unload, "learned: keep " + plan.keep() + "m");
    }
    return new KeepAliveDecision.UnloadThenPrewarm(
        unload,
        lastActivityEnd.plus(IdleTimeHistogram.BIN.multipliedBy(plan.from())),
        lastActivityEnd.plus(IdleTimeHistogram.BIN.multipliedBy(plan.to())),
        "learned: keep " + plan.keep() + "m, pre-warm " + plan.from() + "m to " + plan.to() + "m");
  }

  /**
   * Weight of the idle time not yet seen, added beyond the range (Laplace's rule of succession):
   * after n idle times, the next one is longer than all of them with probability about 1/(n+1), so
   * a function seen three times is not treated as certain to repeat.
   */
  static final double UNSEEN = 1;

  /**
   * P(next call in minute k after activity); idle times beyond the range, and {@link #UNSEEN}, keep
   * their mass.
   */
  static double[] distribution(IdleTimeHistogram h) {
    double[] p = new double[h.bins()];
    double total = h.totalWeight() + UNSEEN;
    for (int k = 0; k < p.length; k++) {
      p[k] = h.weight(k) / total;
    }
    return p;
  }
}
