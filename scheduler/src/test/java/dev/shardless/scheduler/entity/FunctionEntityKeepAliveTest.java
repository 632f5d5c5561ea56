package dev.shardless.scheduler.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shardless.scheduler.entity.FunctionEntity.Command;
import dev.shardless.scheduler.entity.FunctionEntity.LeaseReply;
import dev.shardless.scheduler.entity.FunctionEntity.ScalingStatus;
import dev.shardless.scheduler.model.ReplicaId;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * The entity carries out its function's keep-alive policy: unload when it says, pre-warm one
 * replica its start-up time before the predicted call, back to zero when the call does not come.
 */
class FunctionEntityKeepAliveTest extends EntityHarness {
  static final Duration PERIOD = Duration.ofMinutes(10);
  static final Duration STARTUP = Duration.ofSeconds(5);

  /** An adaptive function that may idle to zero, budget 1h (a long zero-duration). */
  static Map<String, String> adaptive() {
    Map<String, String> labels =
        new HashMap<>(
            FunctionEntityAutoscaleTest.withZero(FunctionEntityAutoscaleTest.capacity(0, 4), "1h"));
    labels.put("shardless.keepalive", "adaptive");
    return labels;
  }

  /** One call served on {@code replica} and completed at once (before the clock moves on). */
  void call(ActorRef<Command> entity, ReplicaId replica) {
    assertEquals(replica, leased(lease(entity)).replica(), "served warm");
    completed(entity, replica);
  }

  void completed(ActorRef<Command> entity, ReplicaId replica) {
    release(entity, replica);
    status(entity);
  }

  /**
   * Calls at 0, 10m and 20m: the first starts cold (start-up 5s), then two idle times of 10m are
   * learned, and the entity unloads right after the third call.
   */
  ReplicaId learnTenMinutePeriod(ActorRef<Command> entity) {
    TestProbe<LeaseReply> first = lease(entity);
    ReplicaId a = replicas().nextStart().id();
    advance(STARTUP);
    replicas().ready(a);
    completed(entity, leased(first).replica());
    advance(PERIOD);
    call(entity, a);
    assertEquals(1, status(entity).desiredReplicas(), "learning: the replica is kept");
    advance(PERIOD);
    call(entity, a);
    return a;
  }

  @Test
  void adaptiveLearnsAPeriodUnloadsEarlyAndPrewarmsBeforeTheNextCall() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), adaptive()));
    ReplicaId a = learnTenMinutePeriod(entity);
    assertEquals(0, status(entity).desiredReplicas(), "learned: unloaded at once");
    assertEquals(a, replicas().nextStop());
    assertEquals(0, replicas().pendingStarts());

    advance(PERIOD.minus(STARTUP).minusSeconds(1));
    assertEquals(0, status(entity).desiredReplicas(), "not yet: start-up time before the call");
    assertEquals(0, replicas().pendingStarts());
    advance(Duration.ofSeconds(1));
    ReplicaId warm = replicas().nextStart().id();
    replicas().ready(warm);
    advance(STARTUP);
    call(entity, warm);

    ScalingStatus s = scaling(entity);
    assertEquals("adaptive-1h", s.keepAlive());
    assertEquals(1, s.prewarms());
    assertEquals(1, s.prewarmHits());
    assertEquals(0, s.prewarmMisses());
    assertEquals(warm, replicas().nextStop(), "unloaded again after the call");
  }

  @Test
  void aMissedPrewarmGoesBackToZeroAtPrewarmUntilAndThenHasNoTimer() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), adaptive()));
    ReplicaId a = learnTenMinutePeriod(entity);
    assertEquals(a, replicas().nextStop());

    advance(PERIOD.minus(STARTUP));
    ReplicaId warm = replicas().nextStart().id();
    replicas().ready(warm);
    elapse(entity, 50);
    assertEquals(1, status(entity).desiredReplicas(), "warm until the window ends");
    ticks(entity, 20);
    assertEquals(0, status(entity).desiredReplicas(), "no call by prewarmUntil (11m): zero");
    assertEquals(warm, replicas().nextStop());
    ScalingStatus s = scaling(entity);
    assertEquals(1, s.prewarms());
    assertEquals(0, s.prewarmHits());
    assertEquals(1, s.prewarmMisses());

    long before = evaluations(s);
    elapse(entity, 3 * 3600);
    assertEquals(before, evaluations(scaling(entity)), "at zero, nothing armed: no timer");
    assertEquals(0, replicas().pendingStarts(), "no second pre-warm without a new activity");
  }

  @Test
  void anIdleFunctionAtZeroWithoutPrewarmHasNoTimer() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), adaptive()));
    assertEquals(0, status(entity).desiredReplicas());
    elapse(entity, 3600);
    assertEquals(0, evaluations(scaling(entity)), "never evaluated: no timer at zero");
    assertEquals(0, replicas().totalStarts());
  }

  @Test
  void whileLearningAdaptiveKeepsTheReplicaLongerThanItsBudget() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), adaptive()));
    TestProbe<LeaseReply> first = lease(entity);
    ReplicaId a = readyNext();
    completed(entity, leased(first).replica());
    elapse(entity, 2 * 3600);
    assertEquals(1, status(entity).desiredReplicas(), "learning keep-alive is 4h, not 1h");
    elapse(entity, 2 * 3600);
    ticks(entity, 1);
    assertEquals(0, status(entity).desiredReplicas());
    assertEquals(a, replicas().nextStop());
    assertEquals(0, scaling(entity).prewarms());
  }

  @Test
  void fixedIsTheDefaultPolicy() {
    ActorRef<Command> entity =
        spawn(
            record(
                1,
                Map.of(),
                FunctionEntityAutoscaleTest.withZero(
                    FunctionEntityAutoscaleTest.capacity(1, 4), "20s")));
    readyNext();
    assertEquals("fixed-20s", scaling(entity).keepAlive());
  }
}
