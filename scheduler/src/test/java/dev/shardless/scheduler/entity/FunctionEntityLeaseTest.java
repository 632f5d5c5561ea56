package dev.shardless.scheduler.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shardless.scheduler.entity.FunctionEntity.Command;
import dev.shardless.scheduler.entity.FunctionEntity.LeaseReply;
import dev.shardless.scheduler.entity.FunctionEntity.Leased;
import dev.shardless.scheduler.entity.FunctionEntity.Rejected;
import dev.shardless.scheduler.entity.FunctionEntity.RuntimeStatus;
import dev.shardless.scheduler.model.ReplicaId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

class FunctionEntityLeaseTest extends EntityHarness {

  @Test
  void leasesGoToTheLeastLoadedReadyReplica() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(2, 5)));
    ReplicaId a = readyNext();
    ReplicaId b = readyNext();

    Leased first = leased(lease(entity));
    Leased second = leased(lease(entity));
    Leased third = leased(lease(entity));
    assertEquals(List.of(a, b, a), List.of(first.replica(), second.replica(), third.replica()));
    assertEquals("127.0.0.1", first.host());
    assertEquals(9001, first.port());
    assertEquals(Duration.ofSeconds(60), first.timeout());

    release(entity, a);
    release(entity, a);
    assertEquals(a, leased(lease(entity)).replica(), "a has 0 in flight, b has 1");
    RuntimeStatus s = status(entity);
    assertEquals(2, s.inFlight());
    assertEquals(2, s.invocationCount());
  }

  @Test
  void maxInflightOneSerialisesCallsOnOneReplica() {
    ActorRef<Command> entity = spawn(record(1, Map.of("max_inflight", "1"), scale(1, 1)));
    ReplicaId a = readyNext();

    Leased first = leased(lease(entity));
    TestProbe<LeaseReply> second = lease(entity);
    assertEquals(1, status(entity).buffered(), "the second waits while the first runs");

    release(entity, first.replica());
    assertEquals(a, leased(second).replica());
    assertEquals(0, status(entity).buffered());
  }

  @Test
  void bufferedRequestsAreServedInOrderWhenAReplicaBecomesReady() {
    ActorRef<Command> entity = spawn(record(1, Map.of("max_inflight", "1"), scale(1, 1)));
    ReplicaId a = replicas().nextStart().id();
    TestProbe<LeaseReply> first = lease(entity);
    TestProbe<LeaseReply> second = lease(entity);
    assertEquals(2, status(entity).buffered());

    replicas().ready(a);
    assertEquals(a, leased(first).replica());
    assertEquals(1, status(entity).buffered(), "max_inflight 1: the second still waits");
    release(entity, a);
    assertEquals(a, leased(second).replica());
  }

  @Test
  void hundredLeasesAtZeroStartExactlyOneReplicaWhenOneCanTakeThem() {
    settings = settings(200);
    Map<String, String> labels = new java.util.HashMap<>(scale(0, 5));
    labels.put("com.openfaas.scale.target", "200"); // 180 per replica: one is enough for 100
    ActorRef<Command> entity = spawn(record(1, Map.of(), labels));
    assertEquals(0, status(entity).desiredReplicas());

    List<TestProbe<LeaseReply>> waiting = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      waiting.add(lease(entity));
    }
    RuntimeStatus s = status(entity);
    assertEquals(1, s.desiredReplicas());
    assertEquals(100, s.buffered());
    assertEquals(1, replicas().totalStarts(), "single-flight scale from zero");

    ReplicaId a = readyNext();
    for (TestProbe<LeaseReply> p : waiting) {
      assertEquals(a, leased(p).replica());
    }
    assertEquals(100, status(entity).inFlight());
    assertEquals(1, replicas().totalStarts());
  }

  @Test
  void fullBufferRejectsWith429AndRetryAfter() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(1, 1)));
    for (int i = 0; i < settings.bufferSize(); i++) {
      lease(entity);
    }
    Rejected r = rejected(lease(entity), 429);
    assertEquals(Duration.ofSeconds(1), r.retryAfter());
    assertEquals(5, status(entity).buffered());
  }

  @Test
  void bufferedRequestPastItsDeadlineGets504() {
    ActorRef<Command> entity = spawn(record(1, Map.of("exec_timeout", "2s"), scale(1, 1)));
    TestProbe<LeaseReply> early = lease(entity);
    status(entity);
    advance(Duration.ofSeconds(1));
    TestProbe<LeaseReply> late = lease(entity);
    status(entity);

    advance(Duration.ofMillis(1100));
    Rejected r = rejected(early, 504);
    assertEquals("no replica of hello.openfaas-fn was free within 2s", r.reason());
    assertEquals(1, status(entity).buffered(), "the later request still has time");

    replicas().ready(replicas().nextStart().id());
    leased(late);
  }

  @Test
  void releaseOfAnUnknownReplicaIsCountedButChangesNoSlot() {
    ActorRef<Command> entity = spawn(record(1, Map.of("max_inflight", "1"), scale(1, 1)));
    ReplicaId a = readyNext();
    leased(lease(entity));
    release(entity, new ReplicaId("hello-99"));
    RuntimeStatus s = status(entity);
    assertEquals(1, s.inFlight());
    assertEquals(1, s.invocationCount());
    release(entity, a);
    assertEquals(0, status(entity).inFlight());
  }
}
