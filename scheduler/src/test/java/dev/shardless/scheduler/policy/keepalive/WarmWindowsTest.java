package dev.shardless.scheduler.policy.keepalive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WarmWindowsTest {

  /** {@code "29:1 30:1 31:1"}: bin:weight, normalised over {@code total} (default: the sum). */
  static double[] dist(int bins, String text, double extraTail) {
    double[] p = new double[bins];
    double sum = extraTail;
    for (String part : text.trim().split("\\s+")) {
      String[] f = part.split(":");
      p[Integer.parseInt(f[0])] += Double.parseDouble(f[1]);
      sum += Double.parseDouble(f[1]);
    }
    for (int k = 0; k < bins; k++) {
      p[k] /= sum;
    }
    return p;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          back-to-back calls: keep one minute           | 0:1                | 0  | 10 | 1 | -1 | -1
          periodic with jitter: pre-warm the 3 minutes  | 29:1 30:1 31:1     | 0  | 10 | 0 | 29 | 32
          burst then period: keep and pre-warm          | 0:4 1:2 60:3       | 0  | 10 | 2 | 60 | 61
          rare pattern not worth its wait: unload       | 100:1              | 19 | 10 | 0 | -1 | -1
          same pattern, cold starts dearer: pre-warm    | 100:1              | 19 | 20 | 0 | 100 | 101
          close calls are kept for, not pre-warmed      | 1:1 2:1 3:1        | 0  | 10 | 4 | -1 | -1
          """)
  void choosesTheCheapestWindows(
      String name, String weights, double tail, double lambda, int keep, int from, int to) {
    assertEquals(
        new WarmWindows.Plan(keep, from, to),
        WarmWindows.choose(dist(240, weights, tail), lambda),
        name);
  }

  @Test
  void memorylessCallsAreKeptForOnlyWhenTheirMeanIdleTimeIsBelowLambda() {
    for (double mean : new double[] {3, 8, 12, 30}) {
      double q = 1 / (mean + 1); // geometric: P(idle = k) = q (1-q)^k, mean idle = (1-q)/q
      double[] p = new double[240];
      for (int k = 0; k < p.length; k++) {
        p[k] = q * Math.pow(1 - q, k);
      }
      WarmWindows.Plan plan = WarmWindows.choose(p, 10);
      double covered = 0;
      for (int k = 0; k < plan.keep(); k++) {
        covered += p[k];
      }
      if (mean < 10) {
        assertTrue(covered > 0.9999, "mean " + mean + " kept until almost every call: " + plan);
      } else {
        assertEquals(0, plan.keep(), "mean " + mean);
        assertEquals(-1, plan.from(), "mean " + mean);
      }
    }
  }

  /** Expected idle minutes + lambda × P(cold) of a plan, straight from the definition. */
  static double cost(double[] p, double lambda, int keep, int from, int to) {
    double cost = 0;
    double survival = 1;
    for (int k = 0; k < p.length; k++) {
      survival -= p[k];
      boolean warm = k < keep || (k >= from && k < to);
      cost += warm ? Math.max(0, survival) : lambda * p[k];
    }
    return cost;
  }

  @Test
  void neverWorseThanAnyKeepAndWindowFoundByBruteForce() {
    Random random = new Random(42);
    for (int round = 0; round < 300; round++) {
      int n = 1 + random.nextInt(14);
      double[] p = new double[n];
      double sum = random.nextDouble(); // mass beyond the range
      for (int k = 0; k < n; k++) {
        p[k] = random.nextDouble() < 0.4 ? random.nextDouble() : 0;
        sum += p[k];
      }
      for (int k = 0; k < n; k++) {
        p[k] /= sum;
      }
      double lambda = 0.5 + random.nextDouble() * 30;
      WarmWindows.Plan plan = WarmWindows.choose(p, lambda);
      assertTrue(plan.keep() >= 0 && plan.keep() <= n);
      if (plan.prewarms()) {
        assertTrue(
            plan.keep() + WarmWindows.MIN_UNLOADED_MINUTES <= plan.from()
                && plan.from() < plan.to()
                && plan.to() <= n,
            "" + plan);
      }
      double best = Double.MAX_VALUE;
      for (int keep = 0; keep <= n; keep++) {
        best = Math.min(best, cost(p, lambda, keep, -1, -1));
        for (int from = keep + WarmWindows.MIN_UNLOADED_MINUTES; from < n; from++) {
          for (int to = from + 1; to <= n; to++) {
            best = Math.min(best, cost(p, lambda, keep, from, to));
          }
        }
      }
      double got = cost(p, lambda, plan.keep(), plan.from(), plan.to());
      assertEquals(best, got, 1e-9, "round " + round + " plan " + plan);
    }
  }
}
