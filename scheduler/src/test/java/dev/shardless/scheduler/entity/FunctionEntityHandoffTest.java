package dev.shardless.scheduler.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shardless.scheduler.entity.FunctionEntity.Command;
import dev.shardless.scheduler.entity.FunctionEntity.Lease;
import dev.shardless.scheduler.entity.FunctionEntity.LeaseReply;
import dev.shardless.scheduler.entity.FunctionEntity.Release;
import dev.shardless.scheduler.entity.FunctionEntity.Stop;
import dev.shardless.scheduler.model.ReplicaId;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/** Hand-off (Stop from the shard): drain the calls in flight, then stop the replicas. */
class FunctionEntityHandoffTest extends EntityHarness {

  @Test
  void handedOffEntityKeepsItsReplicasUntilTheCallsInFlightAreReleased() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(1, 5)));
    ReplicaId a = readyNext();
    leased(lease(entity));
    leased(lease(entity));
    TestProbe<Void> watcher = kit.createTestProbe();

    entity.tell(Stop.INSTANCE);
    TestProbe<LeaseReply> during = lease(entity);
    release(entity, a);
    watcher.expectNoMessage(Duration.ofMillis(100));
    assertFalse(replicas().closed(), "one call still in flight");
    during.expectNoMessage(Duration.ZERO); // left to its gateway's retry, served by the next home

    release(entity, a);
    watcher.expectTerminated(entity);
    assertTrue(replicas().closed());
  }

  @Test
  void handedOffEntityStopsAtTheDrainBoundWithCallsStillInFlight() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(1, 5)));
    readyNext();
    leased(lease(entity));
    TestProbe<Void> watcher = kit.createTestProbe();

    entity.tell(Stop.INSTANCE);
    advance(settings.handoffDrain());
    watcher.expectTerminated(entity);
    assertTrue(replicas().closed());
  }

  @Test
  void handedOffEntityWithNothingInFlightStopsAtOnce() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(1, 5)));
    readyNext();
    TestProbe<Void> watcher = kit.createTestProbe();
    entity.tell(Stop.INSTANCE);
    watcher.expectTerminated(entity);
    assertTrue(replicas().closed());
  }

  @Test
  void anAskRepeatedWhileTheRequestWaitsTakesItsPlaceInsteadOfASecondOne() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(1, 1)));
    ReplicaId a = replicas().nextStart().id();
    TestProbe<LeaseReply> first = kit.createTestProbe();
    TestProbe<LeaseReply> again = kit.createTestProbe();
    entity.tell(new Lease(first.ref(), 42, false));
    entity.tell(new Lease(again.ref(), 42, true));
    assertEquals(1, status(entity).buffered());

    replicas().ready(a);
    leased(again);
    first.expectNoMessage(Duration.ofMillis(50));
    assertEquals(1, status(entity).inFlight());
  }

  @Test
  void anUnusedReleaseFreesTheSlotWithoutCountingACall() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(1, 1)));
    ReplicaId a = readyNext();
    leased(lease(entity));
    entity.tell(new Release(a, Release.UNUSED, 0));
    assertEquals(0, status(entity).inFlight());
    assertEquals(0, status(entity).invocationCount());
  }
}
