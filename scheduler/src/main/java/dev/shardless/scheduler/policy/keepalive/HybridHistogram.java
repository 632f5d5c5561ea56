package dev.shardless.scheduler.policy.keepalive;

import java.time.Duration;
import java.time.Instant;

/**
 * The hybrid histogram policy of Shahrad et al., "Serverless in the Wild" (USENIX ATC 2020, §4.2),
 * kept as the baseline that {@link Adaptive} must beat.
 *
 * <p>From the idle-time histogram: head = the {@code headQuantile} bin's lower edge minus {@code
 * margin}, tail = the {@code tailQuantile} bin's upper edge plus {@code margin}. Head 0: keep the
 * replica for tail after activity. Otherwise unload at once, pre-warm at head, unload at tail. The
 * histogram is trusted only when its bins' coefficient of variation is at least {@code minCv} and
 * most idle times fall in range; otherwise the standard keep-alive applies: keep for the whole
 * range, no pre-warm; so does a histogram of fewer than {@code minObservations} idle times. (The
 * paper then forecasts out-of-range idle times with ARIMA; we use the standard keep-alive there
 * too, which the paper reports as the smaller share of applications.)
 *
 * <p>Example with the paper's parameters (4h, 5th/99th, 10 %, CV ≥ 2): idle times always 30 minutes
 * → head = 30 × 0.9 = 27m, tail = 31 × 1.1 = 34.1m → unload, pre-warm at 27m, unload at 34.1m. Idle
 * times spread evenly over 4 hours (CV ≈ 0) → keep alive 4 hours.
 *
 * @param bins histogram range in one-minute bins (paper: 240 = 4 hours)
 * @param headQuantile pre-warm quantile (paper: 0.05)
 * @param tailQuantile keep-alive quantile (paper: 0.99)
 * @param margin fraction taken off the head and added to the tail (paper: 0.10)
 * @param minCv smallest bin coefficient of variation trusted (paper: 2)
 * @param maxOverflowShare largest share of out-of-range idle times trusted (paper: "many"; 0.5)
 * @param minObservations idle times needed before the histogram is trusted (paper: unstated; 10
 *     reproduces its published numbers on the shared excerpt within a few percent)
 */
public record HybridHistogram(
    int bins,
    double headQuantile,
    double tailQuantile,
    double margin,
    double minCv,
    double maxOverflowShare,
    int minObservations)
    implements KeepAlivePolicy {

  /** The parameters published in the paper. */
  public static final HybridHistogram PAPER =
      new HybridHistogram(240, 0.05, 0.99, 0.10, 2, 0.5, 10);

  @Override
  public String name() {
    return "hybrid";
  }

  @Override
  public IdleTimeHistogram initialState() {
    return IdleTimeHistogram.empty(bins, 1);
  }

  @Override
  public KeepAliveDecision decide(IdleTimeHistogram h, Instant now, Instant lastActivityEnd) {
    Duration range = h.range();
    if (h.observations() < minObservations) {
      return standard(lastActivityEnd, range, "fewer than " + minObservations + " idle times seen");
    }
    if (h.overflowWeight() > maxOverflowShare * h.totalWeight()) {
      return standard(lastActivityEnd, range, "most idle times exceed the histogram range");
    }
    double cv = h.binCoefficientOfVariation();
    if (cv < minCv) {
      return standard(
          lastActivityEnd, range, String.format("no pattern (bin CV %.2f < %.2f)", cv, minCv));
    }
    long headMillis = Math.round(h.quantileBin(headQuantile) * 60_000 * (1 - margin));
    long tailMillis = Math.round((h.quantileBin(tailQuantile) + 1) * 60_000 * (1 + margin));
    Instant tail = lastActivityEnd.plusMillis(tailMillis);
    if (headMillis == 0) {
      return new KeepAliveDecision.KeepAlive(tail, "histogram: keep until the tail");
    }
    return new KeepAliveDecision.UnloadThenPrewarm(
        lastActivityEnd,
        lastActivityEnd.plusMillis(headMillis),
        tail,
        "histogram: pre-warm at the head, keep until the tail");
  }

  private static KeepAliveDecision standard(Instant end, Duration range, String why) {
    return new KeepAliveDecision.KeepAlive(end.plus(range), why + ": keep for the whole range");
  }
}
