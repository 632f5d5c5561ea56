package dev.shardless.scheduler.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shardless.scheduler.entity.FunctionEntity.Command;
import dev.shardless.scheduler.entity.FunctionEntity.Configure;
import dev.shardless.scheduler.entity.FunctionEntity.LeaseReply;
import dev.shardless.scheduler.entity.FunctionEntity.Rejected;
import dev.shardless.scheduler.entity.FunctionEntity.RuntimeStatus;
import dev.shardless.scheduler.entity.FunctionEntity.Scale;
import dev.shardless.scheduler.model.ReplicaId;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

class FunctionEntityReplicaTest extends EntityHarness {

  @Test
  void startFailureWithNothingReadyFailsBufferedRequestsAt503Fast() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(0, 5)));
    TestProbe<LeaseReply> waiting = lease(entity);
    ReplicaId a = replicas().nextStart().id();

    replicas().lost(a, "exited with code 1");
    Rejected r = rejected(waiting, 503);
    assertEquals("function hello.openfaas-fn could not start: exited with code 1", r.reason());
    RuntimeStatus s = status(entity);
    assertEquals(0, s.buffered());
    assertEquals(0, s.desiredReplicas(), "back at zero: the next request tries again");
  }

  @Test
  void failedStartsBackOffExponentiallyAndResetAfterReady() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(1, 1)));
    replicas().lost(replicas().nextStart().id(), "exited with code 1");
    status(entity);
    assertEquals(0, replicas().pendingStarts(), "no restart before the 1s backoff");
    advance(Duration.ofSeconds(1));
    replicas().lost(replicas().nextStart().id(), "exited with code 1");

    status(entity);
    advance(Duration.ofSeconds(1));
    status(entity);
    assertEquals(0, replicas().pendingStarts(), "second failure: backoff doubled to 2s");
    advance(Duration.ofSeconds(1));
    ReplicaId third = replicas().nextStart().id();
    replicas().ready(third);
    assertEquals(1, status(entity).readyReplicas());

    replicas().lost(third, "killed");
    status(entity);
    assertEquals(1, replicas().pendingStarts(), "a ready replica lost is replaced at once");
  }

  @Test
  void lostReplicaIsReplaced() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(2, 5)));
    ReplicaId a = readyNext();
    ReplicaId b = readyNext();
    leased(lease(entity));

    replicas().lost(a, "exited with code 137");
    ReplicaId c = readyNext();
    RuntimeStatus s = status(entity);
    assertEquals(2, s.readyReplicas());
    assertTrue(Set.of(b, c).contains(leased(lease(entity)).replica()));
  }

  @Test
  void scaleToZeroDrainsThenStops() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(1, 5)));
    ReplicaId a = readyNext();
    leased(lease(entity));

    TestProbe<Done> done = doneProbe();
    entity.tell(new Scale(0, done.ref()));
    done.receiveMessage();
    RuntimeStatus s = status(entity);
    assertEquals(0, s.desiredReplicas());
    assertEquals(0, s.readyReplicas());
    assertEquals(0, replicas().pendingStops(), "one call still in flight");

    release(entity, a);
    assertEquals(a, replicas().nextStop());
  }

  @Test
  void drainingReplicaIsStoppedWhenTheDrainTimeoutPasses() {
    ActorRef<Command> entity = spawn(record(1, Map.of("exec_timeout", "10s"), scale(1, 5)));
    ReplicaId a = readyNext();
    leased(lease(entity));
    TestProbe<Done> done = doneProbe();
    entity.tell(new Scale(0, done.ref()));
    done.receiveMessage();
    status(entity);

    advance(Duration.ofSeconds(10));
    assertEquals(a, replicas().nextStop());
  }

  @Test
  void scaleUpStartsMoreAndIsClampedToMax() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(1, 3)));
    readyNext();
    TestProbe<Done> done = doneProbe();
    entity.tell(new Scale(10, done.ref()));
    done.receiveMessage();
    readyNext();
    readyNext();
    RuntimeStatus s = status(entity);
    assertEquals(3, s.desiredReplicas());
    assertEquals(3, s.readyReplicas());
    assertEquals(3, replicas().totalStarts());
  }

  @Test
  void updateRollsReplicasKeepingOldOnesUntilNewOnesAreReady() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(2, 5)));
    ReplicaId a = readyNext();
    ReplicaId b = readyNext();
    assertEquals(a, leased(lease(entity)).replica());

    TestProbe<Done> done = doneProbe();
    entity.tell(new Configure(record(2, Map.of(), scale(2, 5)), done.ref()));
    done.receiveMessage();
    RecordingReplicas.Started c = replicas().nextStart();
    RecordingReplicas.Started d = replicas().nextStart();
    assertEquals("img:2", c.spec().image());
    assertEquals(0, replicas().pendingStops(), "old replicas serve until new ones are ready");
    assertEquals(0, status(entity).readyReplicas(), "none of version 2 is ready yet");

    replicas().ready(c.id());
    assertEquals(b, replicas().nextStop(), "the idle old replica goes first");
    replicas().ready(d.id());
    status(entity);
    assertEquals(0, replicas().pendingStops(), "a is drained: one call in flight");
    release(entity, a);
    assertEquals(a, replicas().nextStop());
    assertEquals(2, status(entity).readyReplicas());
  }

  @Test
  void olderConfigurationIsIgnored() {
    ActorRef<Command> entity = spawn(record(3, Map.of(), scale(1, 5)));
    readyNext();
    TestProbe<Done> done = doneProbe();
    entity.tell(new Configure(record(2, Map.of(), scale(4, 5)), done.ref()));
    done.receiveMessage();
    RuntimeStatus s = status(entity);
    assertEquals(1, s.desiredReplicas());
    assertEquals(1, replicas().totalStarts());
  }
}
