package dev.shardless.scheduler.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shardless.scheduler.entity.FunctionEntity.Command;
import dev.shardless.scheduler.entity.FunctionEntity.Configure;
import dev.shardless.scheduler.entity.FunctionEntity.GetStatus;
import dev.shardless.scheduler.entity.FunctionEntity.LeaseReply;
import dev.shardless.scheduler.entity.FunctionEntity.Rejected;
import dev.shardless.scheduler.entity.FunctionEntity.Remove;
import dev.shardless.scheduler.entity.FunctionEntity.RuntimeStatus;
import dev.shardless.scheduler.entity.FunctionEntity.Scale;
import dev.shardless.scheduler.model.ReplicaId;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class FunctionEntityLifecycleTest extends EntityHarness {

  @Test
  void removeFailsBufferedRequestsWith404StopsReplicasAndTheEntity() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(1, 5)));
    ReplicaId a = replicas().nextStart().id();
    TestProbe<LeaseReply> waiting = lease(entity);

    TestProbe<Done> done = doneProbe();
    entity.tell(new Remove(1, done.ref()));
    done.receiveMessage();
    rejected(waiting, 404);
    assertEquals(a, replicas().nextStop());
    done.expectTerminated(entity);
    assertTrue(replicas().closed());
  }

  @Test
  void retiringEntityAnswersWhatStillReachesItAndHandsOnNewerDefinitions() {
    RecordingRetirement shard = new RecordingRetirement();
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(1, 5)), shard);
    TestProbe<Done> done = doneProbe();
    entity.tell(new Remove(1, done.ref()));
    done.receiveMessage();
    Awaitility.await().until(() -> shard.retired.get() != null);

    TestProbe<LeaseReply> late = lease(entity);
    rejected(late, 404);
    TestProbe<RuntimeStatus> status = kit.createTestProbe();
    entity.tell(new GetStatus(status.ref()));
    assertFalse(status.receiveMessage().deployed());
    Configure redeploy = new Configure(record(2, Map.of(), scale(1, 5)), doneProbe().ref());
    entity.tell(redeploy);
    Awaitility.await().until(() -> shard.redelivered.contains(redeploy));

    shard.stopNow();
    done.expectTerminated(entity);
  }

  @Test
  void unknownFunctionAnswers404AndTheEntityStops() {
    FakeCatalog catalog = FakeCatalog.pending();
    ActorRef<Command> entity = spawn(catalog);
    TestProbe<LeaseReply> waiting = lease(entity);
    TestProbe<RuntimeStatus> statusProbe = kit.createTestProbe();
    entity.tell(new GetStatus(statusProbe.ref()));
    TestProbe<Done> scaled = doneProbe();
    entity.tell(new Scale(3, scaled.ref()));

    catalog.answer.complete(Optional.empty());
    Rejected r = rejected(waiting, 404);
    assertEquals("function hello.openfaas-fn not found", r.reason());
    assertEquals(Duration.ZERO, r.retryAfter());
    assertFalse(statusProbe.receiveMessage().deployed());
    scaled.receiveMessage();
    scaled.expectTerminated(entity);
    assertEquals(null, platform.replicas(), "no replica set was opened");
  }

  @Test
  void configureArrivingDuringTheLookupWins() {
    FakeCatalog catalog = FakeCatalog.pending();
    ActorRef<Command> entity = spawn(catalog);
    TestProbe<LeaseReply> waiting = lease(entity);
    TestProbe<Done> done = doneProbe();
    entity.tell(new Configure(record(2, Map.of(), scale(1, 5)), done.ref()));
    done.receiveMessage();

    catalog.answer.complete(Optional.of(record(1, Map.of(), scale(3, 5))));
    ReplicaId a = readyNext();
    assertEquals(a, leased(waiting).replica());
    RuntimeStatus s = status(entity);
    assertTrue(s.deployed());
    assertEquals(1, s.desiredReplicas(), "the older lookup answer is ignored");
  }

  @Test
  void catalogThatDoesNotAnswerGives503AndStops() {
    ActorRef<Command> entity = spawn(FakeCatalog.pending());
    TestProbe<LeaseReply> waiting = lease(entity);
    advance(settings.catalogTimeout());
    Rejected r = rejected(waiting, 503);
    assertTrue(r.reason().contains("did not answer within 5s"), r.reason());
    waiting.expectTerminated(entity);
  }

  @Test
  void statusReportsDeploymentAndCounts() {
    ActorRef<Command> entity = spawn(record(1, Map.of(), scale(2, 5)));
    readyNext();
    leased(lease(entity));
    RuntimeStatus s = status(entity);
    assertEquals(new RuntimeStatus(true, 2, 1, 0, 1, 0), s);
  }
}
