package dev.shardless.scheduler.policy.keepalive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeepAlivePolicyTest {
  static final Instant END = Instant.parse("2024-05-01T12:00:00Z");
  static final Adaptive ADAPTIVE = Adaptive.withBudget(Duration.ofMinutes(10));

  static IdleTimeHistogram learned(KeepAlivePolicy policy, int... idleMinutes) {
    IdleTimeHistogram h = policy.initialState();
    for (int m : idleMinutes) {
      h = policy.observe(h, Duration.ofMinutes(m));
    }
    return h;
  }

  /** "keep 10m" or "keep 0m, prewarm 59m-62m" relative to END, for readable tables. */
  static String show(KeepAliveDecision d) {
    String keep = "keep " + minutes(d.unloadAt());
    if (d instanceof KeepAliveDecision.UnloadThenPrewarm p) {
      return keep + ", prewarm " + minutes(p.prewarmAt()) + "-" + minutes(p.prewarmUntil());
    }
    return keep;
  }

  static String minutes(Instant t) {
    long s = Duration.between(END, t).toSeconds();
    return s % 60 == 0 ? s / 60 + "m" : s + "s";
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          fresh function: learning keeps the range          | ''                      | keep 240m
          one idle time is no pattern yet                   | 30                      | keep 240m
          hourly timer with jitter: unload, pre-warm        | 59 60 60 61             | keep 0m, prewarm 59m-62m
          every 30 minutes exactly                          | 30 30 30                | keep 0m, prewarm 30m-31m
          back-to-back calls: keep a minute                 | 0 0 0 0                 | keep 1m
          bursts then hourly: keep for the burst, pre-warm  | 0 1 0 1 60 0 1 60 0 1 60 | keep 2m, prewarm 60m-61m
          sparse calls: only the likeliest minute pays     | 17 95 3 140 61 222 33   | keep 0m, prewarm 222m-223m
          """)
  void adaptiveDecisions(String name, String idle, String want) {
    int[] minutes =
        idle.isBlank()
            ? new int[0]
            : java.util.Arrays.stream(idle.trim().split("\\s+"))
                .mapToInt(Integer::parseInt)
                .toArray();
    assertEquals(want, show(ADAPTIVE.decide(learned(ADAPTIVE, minutes), END, END)), name);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          fewer than 10 idle times: standard keep-alive  | 30 30 30                      | keep 240m
          always 30 minutes: paper's example             | 30 30 30 30 30 30 30 30 30 30 | keep 0m, prewarm 27m-2046s
          short idle times: keep until the tail          | 0 1 2 0 1 2 0 1 2 0           | keep 198s
          """)
  void hybridDecisions(String name, String idle, String want) {
    int[] minutes =
        java.util.Arrays.stream(idle.trim().split("\\s+")).mapToInt(Integer::parseInt).toArray();
    HybridHistogram hybrid = HybridHistogram.PAPER;
    assertEquals(want, show(hybrid.decide(learned(hybrid, minutes), END, END)), name);
  }

  @Test
  void hybridFallsBackWithoutAPattern() {
    int[] spread = new int[240];
    for (int i = 0; i < spread.length; i++) {
      spread[i] = i;
    }
    KeepAliveDecision d =
        HybridHistogram.PAPER.decide(learned(HybridHistogram.PAPER, spread), END, END);
    assertEquals("keep 240m", show(d));
    assertTrue(d.reason().contains("no pattern"), d.reason());
  }

  @Test
  void fixedKeepsForItsDurationAndLearnsNothing() {
    Fixed fixed = new Fixed(Duration.ofMinutes(10));
    IdleTimeHistogram state = fixed.initialState();
    assertSame(state, fixed.observe(state, Duration.ofMinutes(3)));
    assertEquals("keep 10m", show(fixed.decide(state, END, END)));
    assertEquals("fixed-10m", fixed.name());
    assertThrows(IllegalArgumentException.class, () -> new Fixed(Duration.ofSeconds(-1)));
  }

  @Test
  void prewarmWindowsMustBeOrdered() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new KeepAliveDecision.UnloadThenPrewarm(END, END, END.plusSeconds(60), "x"));
  }

  /**
   * Property: whatever the idle times, every policy's decision starts at the activity end, keeps
   * its windows ordered, within the histogram range, and the same inputs give the same answer.
   */
  @Test
  void decisionsAreOrderedBoundedAndDeterministic() {
    Random random = new Random(7);
    List<KeepAlivePolicy> policies =
        List.of(ADAPTIVE, Adaptive.withBudget(Duration.ofHours(1)), HybridHistogram.PAPER);
    for (KeepAlivePolicy policy : policies) {
      IdleTimeHistogram h = policy.initialState();
      for (int i = 0; i < 400; i++) {
        int idle =
            switch (random.nextInt(4)) {
              case 0 -> random.nextInt(3);
              case 1 -> 30 + random.nextInt(3);
              case 2 -> random.nextInt(600);
              default -> (int) (-20 * Math.log(1 - random.nextDouble()));
            };
        h = policy.observe(h, Duration.ofMinutes(idle));
        KeepAliveDecision d = policy.decide(h, END, END);
        assertEquals(d, policy.decide(h, END, END));
        assertFalse(d.unloadAt().isBefore(END), policy.name() + ": " + d);
        Instant last = d.unloadAt();
        if (d instanceof KeepAliveDecision.UnloadThenPrewarm p) {
          assertTrue(p.prewarmAt().isAfter(p.unloadAt()));
          last = p.prewarmUntil();
        }
        assertFalse(
            last.isAfter(END.plus(Duration.ofMinutes(264))),
            policy.name() + " stays within the range (+10 % margin): " + d);
      }
    }
  }

  @Test
  void adaptiveRejectsBadParameters() {
    Duration m = Duration.ofMinutes(1);
    assertThrows(IllegalArgumentException.class, () -> new Adaptive(0, m, m, 2, 1));
    assertThrows(IllegalArgumentException.class, () -> new Adaptive(10, Duration.ZERO, m, 2, 1));
    assertThrows(IllegalArgumentException.class, () -> new Adaptive(10, m, m, 0, 1));
    assertInstanceOf(Adaptive.class, Adaptive.withBudget(m));
  }
}
