package dev.shardless.scheduler.policy.keepalive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IdleTimeHistogramTest {

  static IdleTimeHistogram of(int bins, double retention, int... minutes) {
    IdleTimeHistogram h = IdleTimeHistogram.empty(bins, retention);
    for (int m : minutes) {
      h = h.record(Duration.ofMinutes(m));
    }
    return h;
  }

  @Test
  void recordingReturnsANewHistogramAndLeavesTheOldOneAlone() {
    IdleTimeHistogram empty = IdleTimeHistogram.empty(10, 1);
    IdleTimeHistogram one = empty.record(Duration.ofSeconds(150));
    assertNotSame(empty, one);
    assertEquals(0, empty.observations());
    assertEquals(0, empty.weight(2));
    assertEquals(1, one.weight(2), "150 s falls in the [2, 3) minute bin");
    assertEquals(1, one.observations());
  }

  @Test
  void idleTimesBeyondTheRangeCountAsOverflowAndNegativeOnesAsZero() {
    IdleTimeHistogram h =
        IdleTimeHistogram.empty(5, 1)
            .record(Duration.ofMinutes(5))
            .record(Duration.ofHours(9))
            .record(Duration.ofSeconds(-3));
    assertEquals(2, h.overflowWeight());
    assertEquals(1, h.weight(0));
    assertEquals(3, h.totalWeight());
    assertEquals(Duration.ofMinutes(5), h.range());
  }

  @Test
  void retentionFadesEarlierObservations() {
    IdleTimeHistogram h = of(10, 0.5, 1, 2, 3);
    assertEquals(0.25, h.weight(1), 1e-12);
    assertEquals(0.5, h.weight(2), 1e-12);
    assertEquals(1, h.weight(3), 1e-12);
    assertEquals(1.75, h.totalWeight(), 1e-12);
    assertEquals(3, h.observations());
  }

  @ParameterizedTest(name = "q={0} -> bin {1}")
  @CsvSource({"0.0, 0", "0.25, 0", "0.5, 3", "0.75, 3", "0.99, 7", "1.0, 7"})
  void quantileBinsFollowTheWeights(double q, int bin) {
    assertEquals(bin, of(10, 1, 0, 3, 3, 7).quantileBin(q));
  }

  @Test
  void quantileOfAHistogramWithNothingInRangeIsMinusOne() {
    assertEquals(-1, of(10, 1, 50).quantileBin(0.5));
    assertEquals(-1, IdleTimeHistogram.empty(10, 1).quantileBin(0.5));
  }

  @Test
  void coefficientOfVariationTellsASpikeFromAnEvenSpread() {
    assertEquals(Math.sqrt(239), of(240, 1, 30).binCoefficientOfVariation(), 1e-9);
    int[] all = new int[240];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    assertEquals(0, of(240, 1, all).binCoefficientOfVariation(), 1e-9);
    assertEquals(0, IdleTimeHistogram.empty(240, 1).binCoefficientOfVariation());
    assertTrue(of(240, 1, 30, 31, 60).binCoefficientOfVariation() >= 2);
  }

  @Test
  void rejectsBadParameters() {
    assertThrows(IllegalArgumentException.class, () -> IdleTimeHistogram.empty(-1, 1));
    assertThrows(IllegalArgumentException.class, () -> IdleTimeHistogram.empty(5, 0));
    assertThrows(IllegalArgumentException.class, () -> IdleTimeHistogram.empty(5, 1.5));
  }

  @Test
  void equalHistogramsAreEqual() {
    assertEquals(of(10, 1, 1, 2), of(10, 1, 1, 2));
    assertEquals(of(10, 1, 1, 2).hashCode(), of(10, 1, 1, 2).hashCode());
  }
}
