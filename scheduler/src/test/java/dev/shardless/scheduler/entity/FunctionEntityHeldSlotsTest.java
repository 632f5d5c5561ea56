package dev.shardless.scheduler.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shardless.scheduler.entity.FunctionEntity.Command;
import dev.shardless.scheduler.entity.FunctionEntity.Lease;
import dev.shardless.scheduler.entity.FunctionEntity.LeaseReply;
import dev.shardless.scheduler.entity.FunctionEntity.Leased;
import dev.shardless.scheduler.entity.FunctionEntity.Recall;
import dev.shardless.scheduler.entity.FunctionEntity.Release;
import dev.shardless.scheduler.entity.FunctionEntity.Remove;
import dev.shardless.scheduler.entity.FunctionEntity.Scale;
import dev.shardless.scheduler.entity.FunctionEntity.SlotsHeld;
import dev.shardless.scheduler.entity.FunctionEntity.Stop;
import dev.shardless.scheduler.model.ReplicaId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * Slots held by gateway nodes ({@link Lease#hold}): a held slot counts as in flight until it comes
 * back, so {@code max_inflight} stays exact; the entity recalls held slots when requests wait, when
 * their replica drains or goes, on hand-off and on removal; reports count calls.
 */
class FunctionEntityHeldSlotsTest extends EntityHarness {
  private static final Duration QUIET = Duration.ofMillis(100);

  private static Map<String, String> maxInflight(int n) {
    return Map.of("max_inflight", Integer.toString(n));
  }

  /** A lease asked by a gateway whose node's holder is {@code holder}. */
  private TestProbe<LeaseReply> holdLease(ActorRef<Command> entity, TestProbe<Recall> holder) {
    TestProbe<LeaseReply> p = kit.createTestProbe();
    entity.tell(new Lease(p.ref(), 7, false, holder.ref()));
    return p;
  }

  private TestProbe<LeaseReply> holdLease(ActorRef<Command> entity) {
    return holdLease(entity, kit.createTestProbe());
  }

  private static void report(
      ActorRef<Command> entity, TestProbe<Recall> holder, long calls, ReplicaId... held) {
    entity.tell(new SlotsHeld(holder.ref(), calls, 0, List.of(held)));
  }

  @Test
  void aGatewayThatAsksToHoldMayKeepTheSlotAndOneThatDoesNotMayNot() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(1, 1)));
    readyNext();
    assertTrue(leased(holdLease(entity)).keep());
    assertFalse(leased(lease(entity)).keep());
  }

  @Test
  void aHeldSlotCountsInFlightSoMaxInflightStaysExact() {
    ActorRef<Command> entity = spawn(record(1, maxInflight(1), scale(1, 1)));
    ReplicaId a = readyNext();
    TestProbe<Recall> holder = kit.createTestProbe();
    Leased held = leased(holdLease(entity));
    report(entity, holder, 1, a);
    holder.expectNoMessage(QUIET); // nothing waits, the replica is ready: keep it
    assertEquals(1, status(entity).inFlight());

    TestProbe<LeaseReply> other = lease(entity);
    other.expectNoMessage(QUIET); // the only slot is held: it waits
    Recall recall = holder.receiveMessage();
    assertEquals(ID, recall.function());
    assertEquals(entity, recall.entity());
    assertNull(recall.replica(), "every slot held goes back");

    entity.tell(new Release(held.replica(), Release.UNUSED, 0));
    Leased next = leased(other);
    assertEquals(a, next.replica());
    assertEquals(1, status(entity).inFlight());
  }

  @Test
  void theHolderNamedInAGrantIsRecalledWithoutWaitingForItsFirstReport() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(0, 2)));
    entity.tell(new Scale(1, doneProbe().ref()));
    ReplicaId a = readyNext();
    TestProbe<Recall> holder = kit.createTestProbe();
    leased(holdLease(entity, holder));
    entity.tell(new Scale(0, doneProbe().ref()));
    assertEquals(a, holder.receiveMessage().replica());
  }

  /**
   * Held slots a node reports idle stay counted for {@code max_inflight} but are no load for the
   * autoscaler: twelve held idle slots on a {@code capacity} function with target 2 keep it at one
   * replica, while the same twelve reported busy scale it to its max.
   */
  @Test
  void heldSlotsReportedIdleAreNoLoadForTheAutoscaler() {
    assertEquals(1, desiredAfterTwelveHeldSlots(12));
    assertEquals(4, desiredAfterTwelveHeldSlots(0));
  }

  private int desiredAfterTwelveHeldSlots(int idle) {
    ActorRef<Command> entity =
        spawn(record(1, Map.of(), FunctionEntityAutoscaleTest.capacity(1, 4)));
    ReplicaId a = replicas().nextStart().id();
    replicas().ready(a);
    TestProbe<Recall> holder = kit.createTestProbe();
    List<ReplicaId> held = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) {
      held.add(leased(holdLease(entity, holder)).replica());
    }
    entity.tell(new SlotsHeld(holder.ref(), 0, idle, held));
    assertEquals(12, status(entity).inFlight(), "held slots stay counted");
    ticks(entity, 1);
    int desired = status(entity).desiredReplicas();
    // Given back: nothing left in flight, nothing assumed idle any more.
    for (int i = 0; i < 12; i++) {
      entity.tell(new Release(a, Release.UNUSED, 0, holder.ref().path().address()));
    }
    assertEquals(0, status(entity).inFlight());
    kit.stop(entity);
    freshFakes();
    return desired;
  }

  @Test
  void slotsGrantedToWaitingRequestsAreNotKept() {
    ActorRef<Command> entity = spawn(record(1, maxInflight(1), scale(1, 1)));
    ReplicaId a = readyNext();
    leased(lease(entity));
    TestProbe<LeaseReply> waiting = holdLease(entity);
    waiting.expectNoMessage(QUIET);
    release(entity, a);
    assertFalse(leased(waiting).keep(), "granted from the buffer: one call, then back");
  }

  @Test
  void aReportWhileRequestsWaitRecallsEverythingTheNodeHolds() {
    ActorRef<Command> entity = spawn(record(1, maxInflight(1), scale(1, 1)));
    ReplicaId a = readyNext();
    leased(lease(entity));
    lease(entity); // waits
    TestProbe<Recall> holder = kit.createTestProbe();
    report(entity, holder, 0, a); // a grant that crossed the first recall
    assertNull(holder.receiveMessage().replica());
  }

  @Test
  void reportedCallsCountAsInvocationsAndAsActivity() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(1, 1)));
    ReplicaId a = readyNext();
    TestProbe<Recall> holder = kit.createTestProbe();
    leased(holdLease(entity));
    report(entity, holder, 40, a);
    report(entity, holder, 2, a);
    assertEquals(42, status(entity).invocationCount());
    entity.tell(new Release(a, Release.UNUSED, 0));
    assertEquals(42, status(entity).invocationCount(), "the held slot's return is no call");
    assertEquals(0, status(entity).inFlight());
  }

  @Test
  void aDrainingReplicasHeldSlotsAreRecalledAndItStopsWhenTheyComeBack() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(0, 2)));
    entity.tell(new Scale(1, doneProbe().ref()));
    ReplicaId a = readyNext();
    TestProbe<Recall> holder = kit.createTestProbe();
    leased(holdLease(entity));
    report(entity, holder, 1, a);
    holder.expectNoMessage(QUIET);

    entity.tell(new Scale(0, doneProbe().ref()));
    Recall recall = holder.receiveMessage();
    assertEquals(a, recall.replica());
    assertEquals(0, replicas().pendingStops(), "still held: not stopped yet");

    report(entity, holder, 0, a); // a late report of the draining replica: recalled again
    assertEquals(a, holder.receiveMessage().replica());

    entity.tell(new Release(a, Release.UNUSED, 0));
    assertEquals(a, replicas().nextStop());
  }

  @Test
  void aLostReplicasHeldSlotsAreRecalled() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(1, 1)));
    ReplicaId a = readyNext();
    TestProbe<Recall> holder = kit.createTestProbe();
    leased(holdLease(entity));
    report(entity, holder, 0, a);
    replicas().lost(a, "killed");
    assertEquals(a, holder.receiveMessage().replica());
  }

  @Test
  void handOffRecallsEverySlotAndWaitsForThemToComeBack() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(1, 1)));
    ReplicaId a = readyNext();
    TestProbe<Recall> holder = kit.createTestProbe();
    leased(holdLease(entity));
    report(entity, holder, 0, a);
    TestProbe<Void> watcher = kit.createTestProbe();

    entity.tell(Stop.INSTANCE);
    assertNull(holder.receiveMessage().replica());
    report(entity, holder, 3, a); // still reporting: told again
    assertNull(holder.receiveMessage().replica());
    assertFalse(replicas().closed(), "the held slot keeps the replica");

    entity.tell(new Release(a, Release.UNUSED, 0));
    watcher.expectTerminated(entity);
    assertTrue(replicas().closed());
  }

  @Test
  void removalRecallsEverySlotAndARetiringEntityAnswersReportsWithRecalls() {
    // The shard keeps the retiring entity until the test lets it go, as passivation does.
    RecordingRetirement shard = new RecordingRetirement();
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(1, 1)), shard);
    ReplicaId a = readyNext();
    TestProbe<Recall> holder = kit.createTestProbe();
    leased(holdLease(entity));
    report(entity, holder, 0, a);

    entity.tell(new Remove(1, doneProbe().ref()));
    assertNull(holder.receiveMessage().replica());
    report(entity, holder, 0, a);
    Recall again = holder.receiveMessage();
    assertNull(again.replica());
    assertEquals(entity, again.entity());
    shard.stopNow();
  }

  @Test
  void aNodeThatLeftTheClusterIsToldNothingMore() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(0, 1)));
    entity.tell(new Scale(1, doneProbe().ref()));
    ReplicaId a = readyNext();
    TestProbe<Recall> holder = kit.createTestProbe();
    leased(lease(entity));
    report(entity, holder, 0, a);
    entity.tell(new FunctionEntity.NodeRemoved(holder.ref().path().address()));
    entity.tell(new Scale(0, doneProbe().ref()));
    status(entity);
    holder.expectNoMessage(QUIET);
  }
}
