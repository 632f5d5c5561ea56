package dev.shardless.scheduler.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The acceptance check of issue 3 on the shared one-day Azure excerpt: adaptive keep-alive
 * dominates fixed 10 minutes on both axes. Skipped where the excerpt is not present.
 */
class ExcerptReplayTest {
  static final Path EXCERPT = Path.of("../../shared/data/azure-functions-2019/1250_inv.csv");

  @Test
  void adaptiveDominatesFixedTenMinutesOnTheSharedExcerpt() throws IOException {
    assumeTrue(
        Files.isReadable(EXCERPT),
        "shared Azure excerpt not found at " + EXCERPT.toAbsolutePath() + ": skipped");
    List<PolicyReport> r = GeneralisationTest.replay(EXCERPT, 0, "fixed-10m", "hybrid", "adaptive");
    PolicyReport fixed = r.get(0);
    PolicyReport adaptive = r.get(2);
    assertEquals(293_686, fixed.idleReplicaMinutes(), "reproduces the published reference");
    assertEquals(16.667, fixed.p75FunctionColdStartPct(), 0.001);
    assertTrue(adaptive.p75FunctionColdStartPct() < fixed.p75FunctionColdStartPct(), "p75: " + r);
    assertTrue(adaptive.idleReplicaMinutes() < fixed.idleReplicaMinutes(), "idle: " + r);
    assertTrue(adaptive.idleReplicaMinutes() < r.get(1).idleReplicaMinutes(), "vs hybrid: " + r);
  }

  @Test
  void adaptiveLearnedOnTheFirstHalfDominatesOnTheSecond() throws IOException {
    assumeTrue(Files.isReadable(EXCERPT), "shared Azure excerpt not found: skipped");
    List<PolicyReport> r = GeneralisationTest.replay(EXCERPT, 720, "fixed-10m", "adaptive");
    assertTrue(r.get(1).p75FunctionColdStartPct() < r.get(0).p75FunctionColdStartPct(), "" + r);
    assertTrue(r.get(1).idleReplicaMinutes() < r.get(0).idleReplicaMinutes(), "" + r);
  }
}
