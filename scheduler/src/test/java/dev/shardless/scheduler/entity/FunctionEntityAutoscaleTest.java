package dev.shardless.scheduler.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shardless.scheduler.entity.FunctionEntity.Command;
import dev.shardless.scheduler.entity.FunctionEntity.Leased;
import dev.shardless.scheduler.entity.FunctionEntity.RuntimeStatus;
import dev.shardless.scheduler.entity.FunctionEntity.ScalingStatus;
import dev.shardless.scheduler.model.ReplicaId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * The entity applies the scaling policy on its timer and on events (harness settings: tick 1s,
 * stable window 10s, panic window 2s, down-window 10s).
 */
class FunctionEntityAutoscaleTest extends EntityHarness {

  /** capacity, target 2 (1.8 per replica with the default proportion 0.9). */
  static Map<String, String> capacity(int min, int max) {
    Map<String, String> labels = new HashMap<>(scale(min, max));
    labels.put("com.openfaas.scale.target", "2");
    labels.put("com.openfaas.scale.type", "capacity");
    return labels;
  }

  static Map<String, String> withZero(Map<String, String> labels, String after) {
    Map<String, String> l = new HashMap<>(labels);
    l.put("com.openfaas.scale.zero", "true");
    l.put("com.openfaas.scale.zero-duration", after);
    return l;
  }

  @Test
  void timerScalesUpUnderInFlightLoad() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), capacity(1, 4)));
    ReplicaId a = readyNext();
    for (int i = 0; i < 12; i++) {
      assertEquals(a, leased(lease(entity)).replica(), "no max_inflight: nothing is buffered");
    }
    assertEquals(1, status(entity).desiredReplicas(), "no evaluation before the timer");

    ticks(entity, 1);
    assertEquals(4, status(entity).desiredReplicas(), "12 in flight / 1.8 = 7, bounded to max 4");
    assertEquals(3, replicas().pendingStarts());
    ScalingStatus s = scaling(entity);
    assertTrue(s.autoscaling());
    assertEquals(1, s.recentChanges().size());
    assertEquals("PANIC", s.recentChanges().get(0).reason());
    assertEquals(4, s.recentChanges().get(0).to());
  }

  @Test
  void bufferGrowthScalesUpWithoutWaitingForTheTimer() {
    ActorRef<Command> entity = spawn(record(1, Map.of("max_inflight", "1"), capacity(1, 10)));
    readyNext();
    leased(lease(entity));
    for (int i = 0; i < 4; i++) {
      lease(entity);
    }
    RuntimeStatus s = status(entity);
    assertEquals(4, s.buffered());
    assertEquals(3, s.desiredReplicas(), "1 in flight + 4 buffered = 5 / 1.8 -> 3");
    assertEquals(2, replicas().pendingStarts());
  }

  @Test
  void theBufferStaysBoundedWhileScalingUnderAnyLoad() {
    ActorRef<Command> entity = spawn(record(1, Map.of("max_inflight", "1"), capacity(0, 3)));
    List<TestProbe<FunctionEntity.LeaseReply>> all = new ArrayList<>();
    for (int i = 0; i < 10 * settings.bufferSize(); i++) {
      all.add(lease(entity));
    }
    RuntimeStatus s = status(entity);
    assertEquals(settings.bufferSize(), s.buffered());
    assertEquals(3, s.desiredReplicas(), "bounded by max");
    for (TestProbe<FunctionEntity.LeaseReply> p : all.subList(settings.bufferSize(), all.size())) {
      rejected(p, 429);
    }
  }

  @Test
  void burstFromZeroStartsEnoughReplicasAtOnce() {
    settings = settings(100);
    ActorRef<Command> entity = spawn(record(1, Map.of(), capacity(0, 10)));
    assertEquals(0, status(entity).desiredReplicas());
    List<TestProbe<FunctionEntity.LeaseReply>> waiting = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      waiting.add(lease(entity));
    }
    assertEquals(5, status(entity).desiredReplicas(), "9 waiting / 1.8 per replica");
    assertEquals(5, replicas().totalStarts());
    assertEquals("BURST_FROM_ZERO", scaling(entity).recentChanges().get(0).reason());
    readyNext();
    for (TestProbe<FunctionEntity.LeaseReply> p : waiting) {
      leased(p);
    }
  }

  @Test
  void anAsyncBacklogWakesTheFunctionFromZeroAndKeepsItUp() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), withZero(capacity(0, 10), "1s")));
    assertEquals(0, status(entity).desiredReplicas());
    entity.tell(new FunctionEntity.AsyncBacklog(9));
    assertEquals(5, status(entity).desiredReplicas(), "9 waiting jobs / 1.8 per replica");
    assertEquals("BURST_FROM_ZERO", scaling(entity).recentChanges().get(0).reason());
    for (int i = 0; i < 5; i++) {
      readyNext();
    }
    ticks(entity, 30);
    assertTrue(
        status(entity).desiredReplicas() > 0, "jobs still wait: never idle to zero meanwhile");
    entity.tell(new FunctionEntity.AsyncBacklog(0));
    ticks(entity, 30);
    assertEquals(0, status(entity).desiredReplicas(), "backlog drained: idle to zero");
  }

  @Test
  void anAsyncBacklogWakesAPinnedFunctionFromZero() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(2, 2)));
    readyNext();
    readyNext();
    entity.tell(new FunctionEntity.Scale(0, doneProbe().ref()));
    assertEquals(0, status(entity).desiredReplicas());
    entity.tell(new FunctionEntity.AsyncBacklog(1));
    assertEquals(1, status(entity).desiredReplicas());
  }

  @Test
  void scalesDownAfterTheWindowsDrainingBusyReplicasFirst() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), capacity(1, 4)));
    readyNext();
    List<Leased> leases = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      leases.add(leased(lease(entity)));
    }
    ticks(entity, 1);
    for (int i = 0; i < 3; i++) {
      readyNext();
    }
    assertEquals(4, status(entity).readyReplicas());
    // The load falls to one call, on the first replica; the others finish theirs.
    Leased kept = leases.get(0);
    for (Leased l : leases.subList(1, leases.size())) {
      release(entity, l.replica());
    }
    ticks(entity, 9);
    assertEquals(4, status(entity).desiredReplicas(), "panic holds for a stable window");
    assertEquals(0, replicas().pendingStops());

    ticks(entity, 15);
    RuntimeStatus s = status(entity);
    assertEquals(1, s.desiredReplicas(), "then down, step by step, to min");
    assertEquals(1, s.inFlight(), "the busy replica still serves its call");
    Set<ReplicaId> stopped = new HashSet<>();
    while (replicas().pendingStops() > 0) {
      stopped.add(replicas().nextStop());
    }
    assertFalse(stopped.contains(kept.replica()), "the replica with a call is not stopped");
    assertTrue(
        scaling(entity).recentChanges().stream().anyMatch(c -> c.reason().equals("LOAD_DOWN")));
  }

  @Test
  void idleToZeroOnlyAfterTheIdleTimeAndNothingInFlight() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), withZero(capacity(1, 4), "20s")));
    ReplicaId a = readyNext();
    leased(lease(entity));
    elapse(entity, 30);
    assertEquals(1, status(entity).desiredReplicas(), "a call is in flight");

    release(entity, a);
    ticks(entity, 1);
    assertEquals(0, status(entity).desiredReplicas(), "no call started for 31s");
    assertEquals(a, replicas().nextStop());
    assertEquals("IDLE_TO_ZERO", scaling(entity).recentChanges().get(0).reason());

    long before = evaluations(scaling(entity));
    elapse(entity, 60);
    assertEquals(before, evaluations(scaling(entity)), "idle at zero: no timer, no evaluation");

    TestProbe<FunctionEntity.LeaseReply> cold = lease(entity);
    assertEquals(1, status(entity).desiredReplicas(), "scale from zero");
    ReplicaId b = readyNext();
    assertEquals(b, leased(cold).replica());
  }

  @Test
  void anUpdateThatWakesAFunctionFromZeroGivesItAFullIdleTime() {
    Map<String, String> labels = withZero(capacity(1, 4), "20s");
    ActorRef<Command> entity = spawn(record(1, Map.of(), labels));
    readyNext();
    elapse(entity, 20);
    ticks(entity, 1);
    assertEquals(0, status(entity).desiredReplicas());

    TestProbe<org.apache.pekko.Done> done = doneProbe();
    entity.tell(new FunctionEntity.Configure(record(2, Map.of(), labels), done.ref()));
    done.receiveMessage();
    readyNext();
    ticks(entity, 2);
    assertEquals(1, status(entity).desiredReplicas(), "min again, idle time from the update");
  }

  @Test
  void idleTimeCountsFromTheLastStartedCall() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), withZero(capacity(1, 4), "20s")));
    ReplicaId a = readyNext();
    elapse(entity, 15);
    leased(lease(entity));
    release(entity, a);
    elapse(entity, 19);
    assertEquals(1, status(entity).desiredReplicas(), "19s since the last call started");
    ticks(entity, 1);
    assertEquals(0, status(entity).desiredReplicas());
  }

  @Test
  void withoutZeroTrueAnIdleFunctionKeepsItsReplica() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), capacity(1, 4)));
    readyNext();
    elapse(entity, 120);
    assertEquals(1, status(entity).desiredReplicas());
    assertEquals(0, replicas().pendingStops());
  }

  @Test
  void pinnedMinEqualsMaxIgnoresLoadAndRunsNoTimer() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), capacity(2, 2)));
    readyNext();
    readyNext();
    for (int i = 0; i < 12; i++) {
      leased(lease(entity));
    }
    ticks(entity, 5);
    assertEquals(2, status(entity).desiredReplicas());
    assertEquals(0, replicas().pendingStarts());
    ScalingStatus s = scaling(entity);
    assertFalse(s.autoscaling());
    assertEquals(0, evaluations(s), "pinned: the policy is never asked");
  }

  @Test
  void operatorScaleHoldsForTheDownWindowThenTheAutoscalerDecides() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), capacity(1, 4)));
    readyNext();
    TestProbe<org.apache.pekko.Done> done = doneProbe();
    entity.tell(new FunctionEntity.Scale(3, done.ref()));
    done.receiveMessage();
    readyNext();
    readyNext();
    ticks(entity, 9);
    assertEquals(3, status(entity).readyReplicas(), "asked for 3: held for the down-window");
    ticks(entity, 2);
    assertEquals(1, status(entity).desiredReplicas(), "no load: back to min");
  }
}
