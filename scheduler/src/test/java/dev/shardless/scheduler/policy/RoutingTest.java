package dev.shardless.scheduler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shardless.scheduler.model.ReplicaId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RoutingTest {

  /** {@code "a:R:2 b:D:0"}: id, state (S/R/D), in flight. */
  static List<ReplicaView> replicas(String text) {
    List<ReplicaView> list = new ArrayList<>();
    if (text == null || text.isBlank()) {
      return list;
    }
    for (String part : text.trim().split("\\s+")) {
      String[] f = part.split(":");
      ReplicaState state =
          switch (f[1]) {
            case "S" -> ReplicaState.STARTING;
            case "R" -> ReplicaState.READY;
            default -> ReplicaState.DRAINING;
          };
      list.add(
          new ReplicaSnapshot(
              new ReplicaId(f[0]),
              state,
              Integer.parseInt(f[2]),
              1,
              state == ReplicaState.DRAINING ? java.time.Instant.EPOCH : null));
    }
    return list;
  }

  static String show(RouteDecision d) {
    if (d instanceof RouteDecision.ToReplica t) {
      return "to " + t.replica();
    }
    if (d instanceof RouteDecision.Reject r) {
      return "reject " + r.status();
    }
    if (d == RouteDecision.Buffer.NO_REPLICA_READY) {
      return "buffer none-ready";
    }
    if (d == RouteDecision.Buffer.ALL_BUSY) {
      return "buffer all-busy";
    }
    return "buffer others-waiting";
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          one ready replica takes it                 | a:R:0             | 0 | 0 | 5 | to a
          least in flight wins                       | a:R:2 b:R:1 c:R:3 | 0 | 0 | 5 | to b
          ties go to the smallest id, any order      | b:R:1 a:R:1       | 0 | 0 | 5 | to a
          draining replicas take nothing             | a:D:0 b:R:4       | 0 | 0 | 5 | to b
          starting replicas take nothing             | a:S:0 b:R:4       | 0 | 0 | 5 | to b
          full replicas take nothing                 | a:R:2 b:R:3       | 3 | 0 | 5 | to a
          max_inflight 0 is unlimited                | a:R:1000          | 0 | 0 | 5 | to a
          all full buffers                           | a:R:1 b:R:1       | 1 | 0 | 5 | buffer all-busy
          only starting buffers                      | a:S:0             | 1 | 0 | 5 | buffer none-ready
          only draining buffers                      | a:D:0             | 0 | 0 | 5 | buffer none-ready
          no replica at all buffers                  | ''                | 0 | 0 | 5 | buffer none-ready
          all full and buffer full rejects           | a:R:1             | 1 | 5 | 5 | reject 429
          none ready and buffer full rejects         | a:S:0             | 0 | 5 | 5 | reject 429
          others waiting go first despite free slot  | a:R:0             | 0 | 1 | 5 | buffer others-waiting
          others waiting and buffer full rejects     | a:R:0             | 0 | 5 | 5 | reject 429
          """)
  void routes(String name, String replicas, int maxInflight, int waiting, int cap, String want) {
    assertEquals(want, show(Routing.route(replicas(replicas), maxInflight, waiting, cap)), name);
  }

  @Test
  void rejectSays429AndWhy() {
    RouteDecision.Reject r = (RouteDecision.Reject) Routing.route(replicas("a:R:1"), 1, 3, 3);
    assertEquals(429, r.status());
    assertEquals("buffer full: 3 requests are already waiting", r.reason());
  }

  @Test
  void randomInputsNeverRouteToDrainingStartingOrFullReplicasAndPickTheLeastLoaded() {
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      List<ReplicaView> rs = randomReplicas(random);
      int maxInflight = random.nextInt(4);
      int waiting = random.nextInt(4);
      int capacity = 1 + random.nextInt(3);
      RouteDecision d = Routing.route(rs, maxInflight, waiting, capacity);
      int least = Integer.MAX_VALUE;
      for (ReplicaView r : rs) {
        if (eligible(r, maxInflight)) {
          least = Math.min(least, r.inFlight());
        }
      }
      String ctx = rs + " max=" + maxInflight + " waiting=" + waiting + " cap=" + capacity;
      if (d instanceof RouteDecision.ToReplica t) {
        ReplicaView chosen = find(rs, t.replica());
        assertTrue(eligible(chosen, maxInflight), ctx);
        assertEquals(least, chosen.inFlight(), ctx);
        assertEquals(0, waiting, ctx);
      } else if (d instanceof RouteDecision.Buffer) {
        assertTrue(waiting < capacity, ctx);
        assertTrue(waiting > 0 || least == Integer.MAX_VALUE, ctx);
      } else {
        assertEquals(429, ((RouteDecision.Reject) d).status(), ctx);
        assertTrue(waiting >= capacity, ctx);
        assertTrue(waiting > 0 || least == Integer.MAX_VALUE, ctx);
      }
      List<ReplicaView> shuffled = new ArrayList<>(rs);
      Collections.shuffle(shuffled, random);
      assertEquals(
          show(d), show(Routing.route(shuffled, maxInflight, waiting, capacity)), "order: " + ctx);
    }
  }

  private static boolean eligible(ReplicaView r, int maxInflight) {
    return r.state() == ReplicaState.READY && (maxInflight == 0 || r.inFlight() < maxInflight);
  }

  private static ReplicaView find(List<ReplicaView> rs, ReplicaId id) {
    return rs.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
  }

  private static List<ReplicaView> randomReplicas(Random random) {
    List<ReplicaView> rs = new ArrayList<>();
    int n = random.nextInt(7);
    for (int j = 0; j < n; j++) {
      ReplicaState state = ReplicaState.values()[random.nextInt(3)];
      rs.add(
          new ReplicaSnapshot(
              new ReplicaId("r" + j),
              state,
              state == ReplicaState.STARTING ? 0 : random.nextInt(5),
              1,
              state == ReplicaState.DRAINING ? java.time.Instant.EPOCH : null));
    }
    return rs;
  }
}
