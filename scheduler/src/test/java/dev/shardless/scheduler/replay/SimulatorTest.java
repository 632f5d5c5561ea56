package dev.shardless.scheduler.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shardless.scheduler.policy.keepalive.Fixed;
import dev.shardless.scheduler.policy.keepalive.KeepAlivePolicies;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimulatorTest {

  /** "1 . . 2": counts per minute, '.' for 0. */
  static int[] trace(String text) {
    String[] cells = text.trim().split("\\s+");
    int[] counts = new int[cells.length];
    for (int i = 0; i < cells.length; i++) {
      counts[i] = cells[i].equals(".") ? 0 : Integer.parseInt(cells[i]);
    }
    return counts;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          first busy minute is never cold            | fixed-2m | 1 . . . .         | -1 | 0 | 1 | 0 | 0 | 2
          idle time below keep-alive is warm         | fixed-2m | 1 . 1 . .         | -1 | 0 | 2 | 1 | 0 | 3
          idle time equal to keep-alive is cold      | fixed-2m | 1 . . 1 . .       | -1 | 0 | 2 | 1 | 1 | 4
          gap beyond keep-alive is cold              | fixed-2m | 1 . . . 1 .       | -1 | 0 | 2 | 1 | 1 | 3
          idle after the last call stops at the end  | fixed-5m | 1 . .             | -1 | 0 | 1 | 0 | 0 | 2
          back-to-back minutes cost nothing          | fixed-1m | 2 3 4             | -1 | 0 | 9 | 7 | 0 | 0
          learning phase measured from minute 4 only | fixed-1m | 1 . 1 . . 1 .     | -1 | 3 | 1 | 1 | 1 | 2
          concurrency: 3 replicas, all start cold      | fixed-1m | 1 . 90 .          | 2000 | 0 | 91 | 90 | 3 | 4
          """)
  void simulates(
      String name,
      String policy,
      String counts,
      double runtimeMillis,
      int measureFrom,
      long invocations,
      long counted,
      long cold,
      long idle) {
    Simulator.Outcome o =
        Simulator.run(KeepAlivePolicies.byName(policy), trace(counts), runtimeMillis, measureFrom);
    assertEquals(new Simulator.Outcome(invocations, counted, cold, idle), o, name);
  }

  @ParameterizedTest
  @CsvSource({"1, 100, 1", "600, 100, 1", "601, 100, 2", "60, 60000, 60", "5, -1, 1", "0, 5, 1"})
  void replicasNeededCoverTheWorkOfAMinute(int calls, double millis, int replicas) {
    assertEquals(replicas, Simulator.replicasNeeded(calls, millis));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          a periodic function is pre-warmed, no idle  | 1 . . . . 1 . . . . 1 . . . . 1 . . . . 1 . . . . 1 | 0 | 2
          """)
  void adaptiveLearnsAPeriodAndPrewarms(String name, String counts, long cold, long idleAtMost) {
    Simulator.Outcome o = Simulator.run(KeepAlivePolicies.byName("adaptive"), trace(counts), -1, 0);
    assertEquals(cold, o.coldStarts(), name);
    assertEquals(
        true,
        o.idleReplicaMinutes() <= idleAtMost + 2 * 4,
        name + ": idle " + o.idleReplicaMinutes());
    assertEquals(new Fixed(Duration.ofMinutes(10)).name(), Replay.FIXED_10M.name());
  }
}
