package dev.shardless.scheduler.policy.keepalive;

import java.time.Duration;
import java.util.Arrays;

/**
 * What a function has taught its keep-alive policy so far: a histogram of its idle times (from the
 * end of one burst of activity to the next invocation) in one-minute bins, immutable.
 *
 * <p>Bin {@code k} holds idle times in {@code [k, k+1)} minutes; idle times at or beyond {@link
 * #range()} are counted in {@link #overflowWeight()}, as in Shahrad et al. (ATC 2020), whose
 * histogram covers 4 hours in 1-minute bins.
 *
 * <p>Old observations may fade: each new observation multiplies the weight of all earlier ones by
 * {@code retention} (1 = never forget). With retention {@code r} an observation's weight halves
 * after {@code ln 2 / -ln r} further observations, so a function that changes its pattern is
 * relearned in that many idle periods. Example: retention 0.99 → half-life ≈ 69 idle periods.
 *
 * <p>Each {@link #record} copies the bins (about 2 KB for 4 hours): cheap next to an invocation,
 * and it keeps the state a value that an entity can hold and a simulation can share.
 */
public final class IdleTimeHistogram {
  /** Width of one bin. */
  public static final Duration BIN = Duration.ofMinutes(1);

  private final double[] weights;
  private final double overflow;
  private final double total;
  private final long observations;
  private final double retention;

  private IdleTimeHistogram(
      double[] weights, double overflow, double total, long observations, double retention) {
    this.weights = weights;
    this.overflow = overflow;
    this.total = total;
    this.observations = observations;
    this.retention = retention;
  }

  /**
   * An empty histogram.
   *
   * @param bins number of one-minute bins (the range in minutes), >= 0
   * @param retention weight kept by earlier observations at each new one, in (0, 1]
   */
  public static IdleTimeHistogram empty(int bins, double retention) {
    if (bins < 0) {
      throw new IllegalArgumentException("bins must be >= 0, was " + bins);
    }
    if (!(retention > 0 && retention <= 1)) {
      throw new IllegalArgumentException("retention must be in (0, 1], was " + retention);
    }
    return new IdleTimeHistogram(new double[bins], 0, 0, 0, retention);
  }

  /** This histogram with one more idle time; negative idle times count as zero. */
  public IdleTimeHistogram record(Duration idle) {
    long minutes = idle.isNegative() ? 0 : idle.toMinutes();
    double[] next = new double[weights.length];
    if (retention == 1) {
      System.arraycopy(weights, 0, next, 0, weights.length);
    } else {
      for (int i = 0; i < weights.length; i++) {
        next[i] = weights[i] * retention;
      }
    }
    double nextOverflow = overflow * retention;
    if (minutes < weights.length) {
      next[(int) minutes] += 1;
    } else {
      nextOverflow += 1;
    }
    return new IdleTimeHistogram(
        next, nextOverflow, total * retention + 1, observations + 1, retention);
  }

  /** Number of bins, i.e. the range in minutes. */
  public int bins() {
    return weights.length;
  }

  /** The idle times this histogram can tell apart; longer ones are only counted. */
  public Duration range() {
    return BIN.multipliedBy(weights.length);
  }

  /** Weight of bin {@code k}: idle times in {@code [k, k+1)} minutes. */
  public double weight(int k) {
    return weights[k];
  }

  /** Weight of idle times at or beyond {@link #range()}. */
  public double overflowWeight() {
    return overflow;
  }

  /** Weight of all observations, in range or not. */
  public double totalWeight() {
    return total;
  }

  /** How many idle times were recorded, faded or not. */
  public long observations() {
    return observations;
  }

  /** The weight multiplier applied to earlier observations at each new one. */
  public double retention() {
    return retention;
  }

  /**
   * The bin holding quantile {@code q} of the in-range idle times (weight-averaged), or -1 when no
   * idle time fell in range. Example: weights {0: 1, 3: 2, 7: 1}, q = 0.5 → bin 3.
   */
  public int quantileBin(double q) {
    double inRange = total - overflow;
    if (inRange <= 0) {
      return -1;
    }
    double want = q * inRange;
    double seen = 0;
    for (int k = 0; k < weights.length; k++) {
      seen += weights[k];
      if (seen >= want && weights[k] > 0) {
        return k;
      }
    }
    return weights.length - 1;
  }

  /**
   * Coefficient of variation (standard deviation / mean) of the bin weights, the paper's test of
   * whether a histogram has a pattern: a single spike in 240 bins gives √239 ≈ 15.5, an even spread
   * gives 0. Zero for an empty histogram.
   */
  public double binCoefficientOfVariation() {
    int n = weights.length;
    if (n == 0) {
      return 0;
    }
    double sum = 0;
    double squares = 0;
    for (double w : weights) {
      sum += w;
      squares += w * w;
    }
    double mean = sum / n;
    if (mean == 0) {
      return 0;
    }
    double variance = Math.max(0, squares / n - mean * mean);
    return Math.sqrt(variance) / mean;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdleTimeHistogram h
        && h.overflow == overflow
        && h.total == total
        && h.observations == observations
        && h.retention == retention
        && Arrays.equals(h.weights, weights);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(weights) * 31 + Long.hashCode(observations);
  }

  @Override
  public String toString() {
    return "IdleTimeHistogram[bins=" + weights.length + ", observations=" + observations + "]";
  }
}
