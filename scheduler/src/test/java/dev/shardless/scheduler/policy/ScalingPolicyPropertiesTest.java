package dev.shardless.scheduler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shardless.scheduler.model.ScalingSpec;
import dev.shardless.scheduler.model.ScalingSpec.LoadType;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Invariants of {@link ScalingPolicy} over random timelines: random labels, random load, random
 * spacing (including several evaluations at one instant, as events cause). Seeded, so a failure
 * names its seed and replays exactly.
 */
class ScalingPolicyPropertiesTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final int RUNS = 300;
  private static final int STEPS = 120;

  /** One evaluation: what went in, what came out, and what the test tracks around it. */
  record Step(
      ScalingSpec spec,
      LoadSnapshot in,
      ScaleDecision out,
      ScalingState state,
      Instant lastPanicDecision,
      AutoscaleSettings settings) {
    int after() {
      return out instanceof ScaleDecision.ScaleTo to ? to.replicas() : in.desired();
    }

    String show() {
      return spec + "\n" + in + "\n=> " + out;
    }
  }

  @ParameterizedTest(name = "settings {0}")
  @ValueSource(strings = {"fast", "default"})
  void boundsHoldAlways(String which) {
    forAll(
        which,
        s -> {
          int n = s.after();
          assertTrue(n <= Math.max(s.spec().max(), s.in().desired()), s.show());
          if (s.out() instanceof ScaleDecision.ScaleTo to && to.replicas() > 0) {
            assertTrue(to.replicas() >= Math.max(1, s.spec().min()), s.show());
            assertTrue(to.replicas() <= s.spec().max(), s.show());
          }
        });
  }

  @ParameterizedTest(name = "settings {0}")
  @ValueSource(strings = {"fast", "default"})
  void neverZeroWhileWorkIsInFlightBufferedOrPending(String which) {
    forAll(
        which,
        s -> {
          if (s.in().hasWork() && s.in().desired() > 0) {
            assertTrue(s.after() > 0, s.show());
          }
          if (s.out() instanceof ScaleDecision.ScaleTo to && to.replicas() == 0) {
            assertEquals(ScaleReason.IDLE_TO_ZERO, to.reason(), s.show());
            assertTrue(s.spec().zero(), s.show());
          }
        });
  }

  @ParameterizedTest(name = "settings {0}")
  @ValueSource(strings = {"fast", "default"})
  void burstFromZeroAsksForAllWaitingAtOnceAsyncJobsIncluded(String which) {
    forAll(
        which,
        s -> {
          if (s.in().desired() == 0 && s.in().waiting() > 0 && !s.spec().pinned()) {
            int want =
                ScalingPolicy.replicasFor(s.in().waiting(), ScalingPolicy.perReplica(s.spec()));
            int expected = Math.min(s.spec().max(), Math.max(Math.max(1, s.spec().min()), want));
            assertEquals(expected, s.after(), s.show());
          }
        });
  }

  @ParameterizedTest(name = "settings {0}")
  @ValueSource(strings = {"fast", "default"})
  void aBurstIsCoveredAtOnce(String which) {
    forAll(
        which,
        s -> {
          if (s.spec().pinned() || s.in().desired() == 0 || s.spec().type() != LoadType.CAPACITY) {
            return;
          }
          int now =
              ScalingPolicy.replicasFor(
                  s.in().inFlight() + s.in().waiting(), ScalingPolicy.perReplica(s.spec()));
          if (now >= s.settings().panicThreshold() * Math.max(1, s.in().ready())) {
            assertTrue(s.after() >= Math.min(s.spec().max(), now), s.show());
          }
        });
  }

  @ParameterizedTest(name = "settings {0}")
  @ValueSource(strings = {"fast", "default"})
  void noScaleDownWithinAStableWindowOfAPanic(String which) {
    forAll(
        which,
        s -> {
          if (s.out().reason() == ScaleReason.LOAD_DOWN && s.lastPanicDecision() != null) {
            assertTrue(
                !s.in().at().isBefore(s.lastPanicDecision().plus(s.settings().stableWindow())),
                s.show());
          }
        });
  }

  @ParameterizedTest(name = "settings {0}")
  @ValueSource(strings = {"fast", "default"})
  void scaleDownNeverGoesBelowARecentRecommendation(String which) {
    forAll(
        which,
        s -> {
          if (s.out().reason() != ScaleReason.LOAD_DOWN) {
            return;
          }
          Instant from = s.in().at().minus(s.settings().scaleDownWindow());
          for (ScalingState.Observation o : s.state().history()) {
            if (o.at().isAfter(from) && o.at().isBefore(s.in().at())) {
              assertTrue(s.after() >= o.recommended(), s.show() + "\n" + o);
            }
          }
        });
  }

  @ParameterizedTest(name = "settings {0}")
  @ValueSource(strings = {"fast", "default"})
  void memoryStaysBounded(String which) {
    forAll(
        which,
        s -> {
          AutoscaleSettings a = s.settings();
          long longest = Math.max(a.stableWindow().toMillis(), a.scaleDownWindow().toMillis());
          long half = a.evaluationInterval().toMillis() / 2;
          assertTrue(s.state().history().size() <= longest / half + 2, s.show());
        });
  }

  /** Guards the generator: the random timelines reach every rule, so the properties bite. */
  @ParameterizedTest(name = "settings {0}")
  @ValueSource(strings = {"fast", "default"})
  void theTimelinesReachEveryReason(String which) {
    java.util.EnumSet<ScaleReason> seen = java.util.EnumSet.noneOf(ScaleReason.class);
    forAll(which, s -> seen.add(s.out().reason()));
    assertEquals(java.util.EnumSet.allOf(ScaleReason.class), seen);
  }

  /** Runs {@link #RUNS} random timelines and checks {@code property} after every evaluation. */
  private static void forAll(String which, Consumer<Step> property) {
    AutoscaleSettings settings =
        which.equals("fast") ? ScalingPolicyTest.FAST : AutoscaleSettings.DEFAULT;
    for (int run = 0; run < RUNS; run++) {
      long seed = 7919L * run + which.hashCode();
      try {
        timeline(new Random(seed), settings, property);
      } catch (AssertionError e) {
        throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
      }
    }
  }

  private static void timeline(Random rnd, AutoscaleSettings settings, Consumer<Step> property) {
    ScalingSpec spec = randomSpec(rnd);
    ScalingPolicy policy = new ScalingPolicy(settings, IdleRule.FIXED);
    ScalingState state = ScalingState.EMPTY;
    // The state handed to the check is the one before the step: what the down-window saw.
    Instant t = T0;
    Instant lastStarted = T0;
    Instant lastPanic = null;
    int desired = rnd.nextInt(spec.max() + 1);
    int ready = desired;
    long completions = 0;
    int inFlight = 0;
    for (int i = 0; i < STEPS; i++) {
      t = t.plusMillis(rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(4000));
      int mode = rnd.nextInt(10);
      inFlight = mode < 3 ? 0 : mode < 8 ? rnd.nextInt(10) : rnd.nextInt(60);
      int buffered = rnd.nextInt(5) == 0 ? rnd.nextInt(40) : 0;
      int pending = rnd.nextInt(20) == 0 ? 1 : 0;
      completions += rnd.nextInt(100);
      if (inFlight > 0 && rnd.nextBoolean()) {
        lastStarted = t;
      }
      ready = Math.min(desired, ready + rnd.nextInt(3));
      LoadSnapshot in =
          new LoadSnapshot(
              t, desired, ready, inFlight, buffered, completions, lastStarted, pending);
      ScalingPolicy.Outcome o = policy.decide(state, in, spec);
      property.accept(new Step(spec, in, o.decision(), state, lastPanic, settings));
      if (o.decision().reason() == ScaleReason.PANIC
          || o.decision().reason() == ScaleReason.BURST_FROM_ZERO) {
        lastPanic = t;
      }
      if (o.decision() instanceof ScaleDecision.ScaleTo to) {
        desired = to.replicas();
        ready = Math.min(ready, desired);
      }
      state = o.state();
    }
  }

  private static ScalingSpec randomSpec(Random rnd) {
    int min = rnd.nextInt(4);
    int max = Math.max(1, min + rnd.nextInt(8));
    return new ScalingSpec(
        min,
        max,
        1 + rnd.nextInt(10),
        0.5 + rnd.nextInt(51) / 100.0,
        rnd.nextBoolean() ? LoadType.CAPACITY : LoadType.RPS,
        rnd.nextBoolean(),
        Duration.ofSeconds(1 + rnd.nextInt(30)));
  }
}
