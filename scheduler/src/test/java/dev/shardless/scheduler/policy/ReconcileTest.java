package dev.shardless.scheduler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shardless.scheduler.model.ReplicaId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReconcileTest {
  static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

  /**
   * {@code "a:R:2:1 b:D:1:1:expired"}: id, state (S/R/D), in flight, version, and for draining
   * replicas whether the drain deadline has passed.
   */
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
      Instant deadline =
          state != ReplicaState.DRAINING
              ? null
              : f.length > 4 ? NOW.minusSeconds(1) : NOW.plusSeconds(10);
      list.add(
          new ReplicaSnapshot(
              new ReplicaId(f[0]), state, Integer.parseInt(f[2]), Long.parseLong(f[3]), deadline));
    }
    return list;
  }

  /** The plan as a sorted, space-separated list: {@code drain a, start 2, stop b, undrain c}. */
  static String show(List<ReconcileAction> plan) {
    TreeSet<String> out = new TreeSet<>();
    for (ReconcileAction a : plan) {
      if (a instanceof ReconcileAction.Start s) {
        out.add("start " + s.count());
      } else if (a instanceof ReconcileAction.StopNow s) {
        out.add("stop " + s.replica());
      } else if (a instanceof ReconcileAction.Drain d) {
        out.add("drain " + d.replica());
      } else if (a instanceof ReconcileAction.Undrain u) {
        out.add("undrain " + u.replica());
      }
    }
    return String.join(", ", out);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          nothing wanted, nothing there          | 0 | 1 | ''                          | ''
          start what is missing                  | 2 | 1 | ''                          | start 2
          starting replicas count                | 1 | 1 | a:S:0:1                     | ''
          ready replicas count                   | 2 | 1 | a:R:5:1 b:S:0:1             | ''
          idle excess is stopped at once         | 1 | 1 | a:R:0:1 b:R:0:1             | stop b
          busy excess drains least busy          | 1 | 1 | a:R:3:1 b:R:1:1             | drain b
          starting excess goes before ready      | 1 | 1 | a:S:0:1 b:R:2:1             | stop a
          scale to zero drains busy replica      | 0 | 1 | a:R:1:1                     | drain a
          drained replica stops                  | 0 | 1 | a:D:0:1                     | stop a
          draining replica with calls waits      | 0 | 1 | a:D:2:1                     | ''
          drain deadline passed stops it         | 0 | 1 | a:D:2:1:expired             | stop a
          draining replica is taken back         | 1 | 1 | a:D:2:1                     | undrain a
          busiest draining one is taken back     | 1 | 1 | a:D:1:1 b:D:3:1             | undrain b
          old draining replica is not taken back | 1 | 2 | a:D:2:1                     | start 1
          old starting replica is replaced       | 1 | 2 | a:S:0:1                     | start 1, stop a
          update starts new ones, old ones serve | 2 | 2 | a:R:1:1 b:R:1:1             | start 2
          each new ready retires one idle old    | 2 | 2 | a:R:3:1 b:R:0:1 c:R:1:2     | start 1, stop b
          last old replica drains when replaced  | 2 | 2 | a:R:1:1 c:R:0:2 d:R:0:2     | drain a
          scale to zero mid-update               | 0 | 2 | a:R:0:1 c:S:0:2             | stop a, stop c
          """)
  void plans(String name, int desired, long version, String replicas, String want) {
    assertEquals(want, show(Reconcile.plan(desired, replicas(replicas), version, NOW)), name);
  }

  @Test
  void everyActionCarriesAReason() {
    for (ReconcileAction a :
        Reconcile.plan(1, replicas("a:R:3:1 b:R:0:1 c:S:0:1 d:D:0:1"), 2, NOW)) {
      assertTrue(!a.reason().isBlank(), a.toString());
    }
  }

  /**
   * Random worlds, driven by random events (replicas become ready, calls start and finish, time
   * passes, desired count and version change), then left alone: every plan respects the safety
   * rules, and the replicas converge to exactly the desired count of the current version.
   */
  @Test
  void randomWorldsStaySafeAndConvergeToDesired() {
    Random random = new Random(7);
    for (int world = 0; world < 2_000; world++) {
      Sim sim = new Sim(random);
      for (int step = 0; step < 60; step++) {
        sim.reconcile();
        sim.randomEvent();
      }
      for (int settle = 0; settle < 20; settle++) {
        sim.reconcile();
        sim.settle();
      }
      assertEquals("", show(sim.plan()), "fixpoint: " + sim);
      assertEquals(sim.desired, sim.replicas.size(), "only desired replicas remain: " + sim);
      for (ReplicaView r : sim.replicas) {
        assertEquals(ReplicaState.READY, r.state(), sim.toString());
        assertEquals(sim.version, r.version(), sim.toString());
      }
    }
  }

  /** A toy platform for {@link #randomWorldsStaySafeAndConvergeToDesired}. */
  static final class Sim {
    final Random random;
    List<ReplicaView> replicas = new ArrayList<>();
    int desired;
    long version;
    Instant now = NOW;
    int counter;

    Sim(Random random) {
      this.random = random;
      this.version = 1 + random.nextInt(3);
      this.desired = random.nextInt(5);
      int n = random.nextInt(6);
      for (int i = 0; i < n; i++) {
        ReplicaState s = ReplicaState.values()[random.nextInt(3)];
        replicas.add(
            new ReplicaSnapshot(
                nextId(),
                s,
                s == ReplicaState.STARTING ? 0 : random.nextInt(4),
                1 + random.nextInt((int) version),
                s == ReplicaState.DRAINING ? now.plusSeconds(random.nextInt(20) - 5) : null));
      }
    }

    ReplicaId nextId() {
      return new ReplicaId(String.format("r%03d", counter++));
    }

    List<ReconcileAction> plan() {
      return Reconcile.plan(desired, replicas, version, now);
    }

    void reconcile() {
      List<ReconcileAction> plan = plan();
      checkSafety(plan);
      for (ReconcileAction a : plan) {
        apply(a);
      }
      long active =
          replicas.stream()
              .filter(r -> r.state() != ReplicaState.DRAINING && r.version() == version)
              .count();
      assertEquals(desired, active, "after the plan, the current active count is desired: " + this);
    }

    void checkSafety(List<ReconcileAction> plan) {
      Set<ReplicaId> touched = new HashSet<>();
      int starts = 0;
      for (ReconcileAction a : plan) {
        if (a instanceof ReconcileAction.Start s) {
          starts++;
          assertTrue(s.count() > 0, a.toString());
          continue;
        }
        ReplicaId id = id(a);
        assertTrue(touched.add(id), "one action per replica: " + plan);
        ReplicaView r = replicas.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
        if (a instanceof ReconcileAction.StopNow) {
          boolean timedOut = r.state() == ReplicaState.DRAINING && !now.isBefore(r.drainDeadline());
          assertTrue(
              r.inFlight() == 0 || timedOut, "stopped with calls in flight: " + r + " " + this);
        } else if (a instanceof ReconcileAction.Drain) {
          assertEquals(ReplicaState.READY, r.state(), a.toString());
          assertTrue(r.inFlight() > 0, "idle replicas are stopped, not drained: " + r);
        } else if (a instanceof ReconcileAction.Undrain) {
          assertEquals(ReplicaState.DRAINING, r.state(), a.toString());
          assertEquals(version, r.version(), a.toString());
        }
      }
      assertTrue(starts <= 1, plan.toString());
    }

    static ReplicaId id(ReconcileAction a) {
      if (a instanceof ReconcileAction.StopNow s) {
        return s.replica();
      }
      if (a instanceof ReconcileAction.Drain d) {
        return d.replica();
      }
      return ((ReconcileAction.Undrain) a).replica();
    }

    void apply(ReconcileAction a) {
      if (a instanceof ReconcileAction.Start s) {
        for (int i = 0; i < s.count(); i++) {
          replicas.add(new ReplicaSnapshot(nextId(), ReplicaState.STARTING, 0, version, null));
        }
        return;
      }
      ReplicaId id = id(a);
      ReplicaView old = replicas.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
      replicas.remove(old);
      if (a instanceof ReconcileAction.Drain) {
        replicas.add(with(old, ReplicaState.DRAINING, old.inFlight(), now.plusSeconds(10)));
      } else if (a instanceof ReconcileAction.Undrain) {
        replicas.add(with(old, ReplicaState.READY, old.inFlight(), null));
      }
    }

    void randomEvent() {
      switch (random.nextInt(7)) {
        case 0 -> mutateOne(ReplicaState.STARTING, r -> with(r, ReplicaState.READY, 0, null));
        case 1 ->
            mutateOne(
                ReplicaState.READY, r -> with(r, r.state(), r.inFlight() + 1, r.drainDeadline()));
        case 2, 3 ->
            mutateOne(
                null,
                r ->
                    r.inFlight() > 0 ? with(r, r.state(), r.inFlight() - 1, r.drainDeadline()) : r);
        case 4 -> now = now.plus(Duration.ofSeconds(random.nextInt(5)));
        case 5 -> desired = random.nextInt(5);
        default -> {
          if (random.nextInt(4) == 0) {
            version++;
          } else if (!replicas.isEmpty()) {
            replicas.remove(random.nextInt(replicas.size())); // lost
          }
        }
      }
    }

    /** Everything that would eventually happen: starts finish, calls finish. */
    void settle() {
      List<ReplicaView> next = new ArrayList<>();
      for (ReplicaView r : replicas) {
        ReplicaState s = r.state() == ReplicaState.STARTING ? ReplicaState.READY : r.state();
        next.add(with(r, s, 0, r.drainDeadline()));
      }
      replicas = next;
    }

    void mutateOne(ReplicaState only, java.util.function.UnaryOperator<ReplicaView> f) {
      List<Integer> candidates = new ArrayList<>();
      for (int i = 0; i < replicas.size(); i++) {
        if (only == null || replicas.get(i).state() == only) {
          candidates.add(i);
        }
      }
      if (!candidates.isEmpty()) {
        int i = candidates.get(random.nextInt(candidates.size()));
        replicas.set(i, f.apply(replicas.get(i)));
      }
    }

    static ReplicaView with(ReplicaView r, ReplicaState s, int inFlight, Instant deadline) {
      return new ReplicaSnapshot(
          r.id(), s, inFlight, r.version(), s == ReplicaState.DRAINING ? deadline : null);
    }

    @Override
    public String toString() {
      return "desired=" + desired + " version=" + version + " now=" + now + " " + replicas;
    }
  }
}
