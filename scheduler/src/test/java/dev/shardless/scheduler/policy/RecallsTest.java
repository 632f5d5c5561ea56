package dev.shardless.scheduler.policy;

import static dev.shardless.scheduler.policy.RoutingTest.replicas;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shardless.scheduler.model.ReplicaId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecallsTest {

  private static List<ReplicaId> ids(String text) {
    List<ReplicaId> out = new ArrayList<>();
    if (text != null && !text.isBlank()) {
      for (String s : text.trim().split("\\s+")) {
        out.add(new ReplicaId(s));
      }
    }
    return out;
  }

  /** held; table; waiting; expected: K (keep), A (all), or the replicas recalled. */
  @ParameterizedTest(name = "held [{0}] of [{1}], {2} waiting -> {3}")
  @CsvSource(
      delimiter = ';',
      value = {
        "'';a:R:1;0;K",
        "'';a:R:1;3;K",
        "a;a:R:1;0;K",
        "a a a;a:R:3;0;K",
        "a b;a:R:1 b:R:1;0;K",
        "a;a:R:1;1;A",
        "a b;a:R:1 b:D:1;5;A",
        "b;a:R:1 b:D:1;0;b",
        "a b;a:R:1 b:D:1;0;b",
        "b b b;a:R:0 b:D:3;0;b",
        "a;a:S:1;0;a",
        "c;a:R:1;0;c",
        "a c d;a:R:1 d:D:1;0;c d",
        "a b;'';0;a b",
      })
  void decides(String held, String table, int waiting, String expected) {
    RecallDecision d = Recalls.forReport(ids(held), replicas(table), waiting);
    switch (expected) {
      case "K" -> assertSame(RecallDecision.Keep.INSTANCE, d);
      case "A" -> assertInstanceOf(RecallDecision.RecallAll.class, d);
      default -> {
        RecallDecision.RecallReplicas r = assertInstanceOf(RecallDecision.RecallReplicas.class, d);
        assertEquals(ids(expected), r.replicas());
      }
    }
  }

  @Test
  void theReasonNamesWhatWaitsOrWhichReplicas() {
    RecallDecision.RecallAll all =
        (RecallDecision.RecallAll) Recalls.forReport(ids("a"), replicas("a:R:1"), 4);
    assertEquals("4 requests are waiting for a slot", all.reason());
    RecallDecision.RecallReplicas some =
        (RecallDecision.RecallReplicas) Recalls.forReport(ids("a b"), replicas("a:R:1 b:D:1"), 0);
    assertTrue(some.reason().contains("[b]"), some.reason());
  }

  /**
   * Properties over random tables: a node keeps its slots only when nothing waits and every held
   * replica is ready; a recall never names a replica twice nor a ready one; order does not matter.
   */
  @Test
  void propertiesOverRandomInputs() {
    Random random = new Random(7);
    String[] states = {"S", "R", "D"};
    for (int round = 0; round < 5_000; round++) {
      StringBuilder table = new StringBuilder();
      int n = random.nextInt(5);
      for (int i = 0; i < n; i++) {
        table.append((char) ('a' + i)).append(':').append(states[random.nextInt(3)]);
        table.append(':').append(random.nextInt(4)).append(' ');
      }
      List<ReplicaView> view = replicas(table.toString());
      List<ReplicaId> held = new ArrayList<>();
      for (int i = random.nextInt(6); i > 0; i--) {
        held.add(new ReplicaId(String.valueOf((char) ('a' + random.nextInt(6)))));
      }
      int waiting = random.nextInt(3) == 0 ? random.nextInt(4) : 0;
      RecallDecision d = Recalls.forReport(held, view, waiting);
      boolean allReady =
          held.stream()
              .allMatch(
                  id ->
                      view.stream()
                          .anyMatch(r -> r.id().equals(id) && r.state() == ReplicaState.READY));
      if (held.isEmpty() || (waiting == 0 && allReady)) {
        assertSame(RecallDecision.Keep.INSTANCE, d, "round " + round);
      } else if (waiting > 0) {
        assertInstanceOf(RecallDecision.RecallAll.class, d, "round " + round);
      } else {
        List<ReplicaId> back = ((RecallDecision.RecallReplicas) d).replicas();
        assertEquals(back.stream().distinct().count(), back.size(), "round " + round);
        for (ReplicaId id : back) {
          assertTrue(held.contains(id));
          assertTrue(
              view.stream().noneMatch(r -> r.id().equals(id) && r.state() == ReplicaState.READY));
        }
        List<ReplicaId> reversed = new ArrayList<>(held);
        java.util.Collections.reverse(reversed);
        RecallDecision again = Recalls.forReport(reversed, view, waiting);
        assertEquals(
            new java.util.HashSet<>(back),
            new java.util.HashSet<>(((RecallDecision.RecallReplicas) again).replicas()));
      }
    }
  }
}
