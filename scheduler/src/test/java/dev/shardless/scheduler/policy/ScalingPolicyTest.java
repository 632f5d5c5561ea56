package dev.shardless.scheduler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.shardless.scheduler.model.ScalingSpec;
import dev.shardless.scheduler.model.ScalingSpec.LoadType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Timelines through {@link ScalingPolicy}: each line is one evaluation, {@code seconds inFlight
 * buffered [completions] [ready=N] [started] -> desired REASON}. The desired count carries over
 * from line to line; ready defaults to the desired count before the line (replicas start at once);
 * {@code started} marks that a call started at that time.
 */
class ScalingPolicyTest {
  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  /** Short windows so timelines stay readable: tick 1s, stable 10s, panic 2s, down 10s. */
  static final AutoscaleSettings FAST =
      new AutoscaleSettings(
          Duration.ofSeconds(1),
          Duration.ofSeconds(10),
          Duration.ofSeconds(2),
          2.0,
          Duration.ofSeconds(10),
          20);

  static ScalingSpec capacity(int min, int max, int target) {
    return new ScalingSpec(min, max, target, 0.9, LoadType.CAPACITY, false, Duration.ofMinutes(15));
  }

  static ScalingSpec rps(int min, int max, int target) {
    return new ScalingSpec(min, max, target, 1.0, LoadType.RPS, false, Duration.ofMinutes(15));
  }

  static ScalingSpec zero(ScalingSpec s, Duration after) {
    return new ScalingSpec(
        s.min(), s.max(), s.target(), s.targetProportion(), s.type(), true, after);
  }

  static Stream<Arguments> timelines() {
    ScalingSpec cap = capacity(1, 4, 2); // 1.8 per replica
    return Stream.of(
        Arguments.of(
            "light load stays at min",
            cap,
            1,
            """
            0 0 0 -> 1 STEADY
            1 1 0 -> 1 STEADY
            2 1 0 -> 1 STEADY
            """),
        Arguments.of(
            "a burst at one replica panics straight to max",
            cap,
            1,
            """
            0  0 0 -> 1 STEADY
            1 12 0 -> 4 PANIC
            2 12 0 -> 4 STEADY
            """),
        Arguments.of(
            "buffered requests count as demand",
            capacity(1, 20, 2),
            1,
            """
            0 1 0 -> 1 STEADY
            1 1 8 -> 5 PANIC
            """),
        Arguments.of(
            "burst from zero asks ceil(buffered / per-replica) at once",
            capacity(0, 20, 2),
            0,
            """
            0 0 9 -> 5 BURST_FROM_ZERO
            """),
        Arguments.of(
            "burst from zero is bounded by max",
            cap,
            0,
            """
            0 0 12 -> 4 BURST_FROM_ZERO
            """),
        Arguments.of(
            "at zero with nothing waiting holds, even with min 1",
            cap,
            0,
            """
            0 0 0 -> 0 IDLE_AT_ZERO
            5 0 0 -> 0 IDLE_AT_ZERO
            """),
        Arguments.of(
            "panic holds the count after the burst until a stable window is calm",
            cap,
            1,
            """
             0 12 0        -> 4 PANIC
             1 12 0        -> 4 STEADY
             2  1 0        -> 4 STEADY
             5  1 0        -> 4 STEADY
             9  1 0        -> 4 PANIC_HOLD
            10  1 0        -> 4 DOWN_WINDOW
            11  1 0        -> 4 DOWN_WINDOW
            12  1 0        -> 4 DOWN_WINDOW
            15  1 0        -> 3 LOAD_DOWN
            19  1 0        -> 2 LOAD_DOWN
            20  1 0        -> 1 LOAD_DOWN
            """),
        Arguments.of(
            "without panic, a dip is held for the down-window",
            capacity(1, 10, 2),
            4,
            """
             0  6 0 ready=4 -> 4 STEADY
             1  6 0 ready=4 -> 4 STEADY
             2  1 0 ready=4 -> 4 DOWN_WINDOW
             6  1 0 ready=4 -> 4 DOWN_WINDOW
            11  1 0 ready=4 -> 3 LOAD_DOWN
            12  1 0 ready=3 -> 2 LOAD_DOWN
            """),
        Arguments.of(
            "a moderate rise scales up on the window means, without panic",
            capacity(1, 10, 2),
            2,
            """
            0 2 0 -> 2 STEADY
            1 5 0 -> 2 STEADY
            2 5 0 -> 3 LOAD_UP
            """),
        Arguments.of(
            "rps: completions per second over the window",
            rps(1, 10, 10),
            1,
            """
            0 0 0   0 -> 1 STEADY
            1 0 0  25 -> 3 PANIC
            2 0 0  55 -> 3 STEADY
            """),
        Arguments.of(
            "pinned ignores load",
            capacity(2, 2, 1),
            2,
            """
            0 50 50 -> 2 PINNED
            1  0  0 -> 2 PINNED
            """),
        Arguments.of(
            "zero=true: zero after zero-duration without a started call",
            zero(cap, Duration.ofSeconds(20)),
            1,
            """
             0 1 0 started -> 1 STEADY
             1 0 0         -> 1 STEADY
            19 0 0         -> 1 STEADY
            20 0 0         -> 0 IDLE_TO_ZERO
            21 0 0         -> 0 IDLE_AT_ZERO
            22 0 1         -> 1 BURST_FROM_ZERO
            """),
        Arguments.of(
            "zero=true: a long call in flight keeps the replica",
            zero(cap, Duration.ofSeconds(20)),
            1,
            """
             0 1 0 started -> 1 STEADY
            30 1 0         -> 1 STEADY
            31 0 0         -> 0 IDLE_TO_ZERO
            """),
        Arguments.of(
            "zero=true: a started call resets the idle time",
            zero(cap, Duration.ofSeconds(20)),
            1,
            """
             0 0 0 started -> 1 STEADY
            15 1 0 started -> 1 STEADY
            16 0 0         -> 1 STEADY
            34 0 0         -> 1 STEADY
            35 0 0         -> 0 IDLE_TO_ZERO
            """),
        Arguments.of(
            "zero=false never idles to zero",
            cap,
            1,
            """
              0 0 0 started -> 1 STEADY
            100 0 0         -> 1 STEADY
            """));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("timelines")
  void timeline(String name, ScalingSpec spec, int initialDesired, String lines) {
    new Timeline(new ScalingPolicy(FAST, IdleRule.FIXED), spec, initialDesired).run(lines);
  }

  @Test
  void pendingAsyncJobsKeepTheReplica() {
    ScalingPolicy p = new ScalingPolicy(FAST, IdleRule.FIXED);
    ScalingSpec spec = zero(capacity(1, 4, 2), Duration.ofSeconds(20));
    LoadSnapshot waitingJob = new LoadSnapshot(T0.plusSeconds(60), 1, 1, 0, 0, 0, T0, 1);
    ScaleDecision d = p.decide(ScalingState.EMPTY, waitingJob, spec).decision();
    assertInstanceOf(ScaleDecision.Hold.class, d);
    LoadSnapshot noJob = new LoadSnapshot(T0.plusSeconds(60), 1, 1, 0, 0, 0, T0, 0);
    assertEquals(
        new ScaleDecision.ScaleTo(
            0,
            ScaleReason.IDLE_TO_ZERO,
            "no invocation started since 2025-01-01T00:00:00Z, nothing in flight"),
        p.decide(ScalingState.EMPTY, noJob, spec).decision());
  }

  @Test
  void anAsyncBacklogWakesAFunctionFromZeroLikeBufferedRequests() {
    ScalingPolicy p = new ScalingPolicy(FAST, IdleRule.FIXED);
    ScalingSpec spec = capacity(0, 20, 2); // 1.8 per replica
    LoadSnapshot jobsOnly = new LoadSnapshot(T0, 0, 0, 0, 0, 0, T0, 9);
    assertEquals(
        new ScaleDecision.ScaleTo(
            5, ScaleReason.BURST_FROM_ZERO, "9 waiting at zero, 1.80 per replica"),
        p.decide(ScalingState.EMPTY, jobsOnly, spec).decision());
    LoadSnapshot mixed = new LoadSnapshot(T0, 0, 0, 0, 3, 0, T0, 6);
    assertEquals(
        new ScaleDecision.ScaleTo(
            5, ScaleReason.BURST_FROM_ZERO, "9 waiting at zero, 1.80 per replica"),
        p.decide(ScalingState.EMPTY, mixed, spec).decision());
  }

  @Test
  void anAsyncBacklogIsDemandAtScale() {
    ScalingPolicy p = new ScalingPolicy(FAST, IdleRule.FIXED);
    ScalingSpec spec = capacity(1, 20, 2);
    LoadSnapshot backlog = new LoadSnapshot(T0, 1, 1, 2, 0, 0, T0, 10);
    ScaleDecision d = p.decide(ScalingState.EMPTY, backlog, spec).decision();
    // 2 in flight + 10 waiting jobs = 12 at 1.8 per replica: 7 replicas, a panic (7 >= 2 x 1).
    assertEquals(new ScaleDecision.ScaleTo(7, ScaleReason.PANIC, d.detail()), d);
  }

  @Test
  void anOperatorsCountIsNotScaledBelowWithinTheDownWindow() {
    ScalingPolicy p = new ScalingPolicy(FAST, IdleRule.FIXED);
    ScalingSpec spec = capacity(1, 10, 2);
    ScalingState asked = ScalingState.EMPTY.withRequest(3, T0);
    LoadSnapshot idle9 = new LoadSnapshot(T0.plusSeconds(9), 3, 3, 0, 0, 0, T0, 0);
    assertEquals(ScaleReason.DOWN_WINDOW, p.decide(asked, idle9, spec).decision().reason());
    LoadSnapshot idle10 = new LoadSnapshot(T0.plusSeconds(10), 3, 3, 0, 0, 0, T0, 0);
    assertEquals(
        new ScaleDecision.ScaleTo(
            1,
            ScaleReason.LOAD_DOWN,
            "load stable 0, panic 0, now 0 at 1.80 per replica: recommend 1; down-window floor 1"
                + " (was 3)"),
        p.decide(asked, idle10, spec).decision());
    LoadSnapshot busy = new LoadSnapshot(T0.plusSeconds(1), 3, 3, 12, 0, 0, T0, 0);
    assertEquals(7, ((ScaleDecision.ScaleTo) p.decide(asked, busy, spec).decision()).replicas());
  }

  @Test
  void theIdleRuleIsReplaceable() {
    IdleRule never = (last, now, spec) -> false;
    ScalingPolicy p = new ScalingPolicy(FAST, never);
    ScalingSpec spec = zero(capacity(1, 4, 2), Duration.ofSeconds(1));
    LoadSnapshot idle = new LoadSnapshot(T0.plusSeconds(3600), 1, 1, 0, 0, 0, T0, 0);
    assertEquals(ScaleReason.STEADY, p.decide(ScalingState.EMPTY, idle, spec).decision().reason());
  }

  @ParameterizedTest(name = "desired {1}, in flight {2}, buffered {3} -> {4}")
  @CsvSource({
    "capacity, 0, 0, 0, false",
    "capacity, 0, 0, 1, true",
    "capacity, 1, 1, 0, false",
    "capacity, 1, 2, 0, true",
    "capacity, 2, 2, 1, false",
    "capacity, 4, 20, 20, false",
    "rps, 1, 100, 1, false",
    "rps, 1, 0, 2, true",
  })
  void demandExceedsIsTheCheapBufferGate(
      String type, int desired, int inFlight, int buffered, boolean expected) {
    ScalingSpec spec =
        "rps".equals(type) ? rps(1, 4, 1) : capacity(1, 4, 2); // 1.0 or 1.8 per replica
    assertEquals(expected, ScalingPolicy.demandExceeds(spec, desired, inFlight, buffered));
  }

  @Test
  void pinnedNeverAsksForMoreOnBufferGrowthExceptFromZero() {
    ScalingSpec pinned = capacity(2, 2, 1);
    assertEquals(false, ScalingPolicy.demandExceeds(pinned, 2, 100, 100));
    assertEquals(true, ScalingPolicy.demandExceeds(pinned, 0, 0, 1));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          stable-window  | 0  | shardless.scheduler.autoscale.stable-window must be > 0, was 0s
          panic-window   | 61 | shardless.scheduler.autoscale.panic-window must be <= stable-window (1m), was 1m1s
          interval       | 7  | shardless.scheduler.autoscale.evaluation-interval must be <= panic-window (6s), was 7s
          """)
  void settingsAreValidatedNamingTheKey(String which, long seconds, String message) {
    AutoscaleSettings d = AutoscaleSettings.DEFAULT;
    Duration v = Duration.ofSeconds(seconds);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new AutoscaleSettings(
                    which.equals("interval") ? v : d.evaluationInterval(),
                    which.equals("stable-window") ? v : d.stableWindow(),
                    which.equals("panic-window") ? v : d.panicWindow(),
                    d.panicThreshold(),
                    d.scaleDownWindow(),
                    d.decisionHistory()));
    assertEquals(message, e.getMessage());
  }

  /** Runs timeline lines against the policy, carrying desired count and state forward. */
  static final class Timeline {
    private final ScalingPolicy policy;
    private final ScalingSpec spec;
    private int desired;
    private ScalingState state = ScalingState.EMPTY;
    private Instant lastStarted = T0;
    private final List<String> seen = new ArrayList<>();

    Timeline(ScalingPolicy policy, ScalingSpec spec, int desired) {
      this.policy = policy;
      this.spec = spec;
      this.desired = desired;
    }

    void run(String lines) {
      for (String line : lines.strip().split("\n")) {
        step(line.strip());
      }
    }

    private void step(String line) {
      String[] sides = line.split("->");
      String[] in = sides[0].trim().split("\\s+");
      String[] out = sides[1].trim().split("\\s+");
      Instant at = T0.plusSeconds(Long.parseLong(in[0]));
      int inFlight = Integer.parseInt(in[1]);
      int buffered = Integer.parseInt(in[2]);
      long completions = 0;
      int ready = desired;
      for (int i = 3; i < in.length; i++) {
        if (in[i].startsWith("ready=")) {
          ready = Integer.parseInt(in[i].substring(6));
        } else if (in[i].equals("started")) {
          lastStarted = at;
        } else {
          completions = Long.parseLong(in[i]);
        }
      }
      LoadSnapshot s =
          new LoadSnapshot(at, desired, ready, inFlight, buffered, completions, lastStarted, 0);
      ScalingPolicy.Outcome o = policy.decide(state, s, spec);
      state = o.state();
      if (o.decision() instanceof ScaleDecision.ScaleTo to) {
        desired = to.replicas();
      }
      seen.add(line + "   => " + desired + " " + o.decision());
      String context = String.join("\n", seen);
      assertEquals(Integer.parseInt(out[0]), desired, context);
      assertEquals(ScaleReason.valueOf(out[1]), o.decision().reason(), context);
    }
  }
}
