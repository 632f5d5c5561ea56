package dev.shardless.persistence.async;

import static dev.shardless.persistence.async.QueueHarness.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shardless.persistence.async.JobEvent.CallbackDelivered;
import dev.shardless.persistence.async.JobEvent.CallbackFailed;
import dev.shardless.persistence.async.JobEvent.JobAccepted;
import dev.shardless.persistence.async.JobEvent.JobCancelled;
import dev.shardless.persistence.async.JobEvent.JobDeadLettered;
import dev.shardless.persistence.async.JobEvent.JobFailed;
import dev.shardless.persistence.async.JobEvent.JobRedriven;
import dev.shardless.persistence.async.JobEvent.JobStarted;
import dev.shardless.persistence.async.JobEvent.JobSucceeded;
import dev.shardless.persistence.async.JobView.CallbackState;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The queue's state on its own: transitions, indexes, retention, and snapshots. */
class QueueStateTest {
  static final ActorTestKit KIT =
      ActorTestKit.create("QueueStateTest", QueueHarness.TESTKIT_CONFIG);
  static final StoredResult OK =
      new StoredResult(200, List.of(), "0123456789abcdefXYZ".getBytes(), 19, false, 5);

  @AfterAll
  static void shutDown() {
    KIT.shutdownTestKit();
  }

  final QueueState state = new QueueState(3, 4);

  void accept(String id, String callback) {
    state.onAccepted(new JobAccepted(request(id, "body-" + id, callback), 100));
  }

  void start(String id, int attempt) {
    state.onStarted(new JobStarted(id, attempt, 200));
  }

  void succeed(String id) {
    state.onSucceeded(new JobSucceeded(id, 300, OK));
  }

  @Test
  void aJobGoesThroughItsLifeAndTheIndexesFollow() {
    accept("a", null);
    assertEquals(1, state.queuedCount());
    assertTrue(state.heldBytes() > 0);
    start("a", 1);
    assertEquals(0, state.queuedCount());
    assertEquals(1, state.runningCount());
    state.onFailed(new JobFailed("a", 300, 503, "busy", Optional.empty(), 1_000));
    assertEquals(1, state.retryWaitCount());
    assertFalse(state.hasReady(999));
    assertTrue(state.hasReady(1_000));
    assertEquals(1_000, state.nextDueAfter(999));
    assertEquals(0, state.nextDueAfter(1_000));
    start("a", 2);
    succeed("a");
    StoredJob a = state.job("a").orElseThrow();
    assertEquals(JobState.SUCCEEDED, a.state());
    assertEquals(2, a.attempts());
    assertEquals(Optional.empty(), a.request());
    assertEquals(0, state.heldBytes());
    assertEquals(new QueueSnapshot.Counters(1, 1, 0, 0, 1, 0, 0), state.counters());
  }

  @Test
  void readyJobsComeInAcceptanceOrderWithDueRetriesInTheirPlace() {
    for (String id : List.of("a", "b", "c", "d")) {
      accept(id, null);
    }
    start("a", 1);
    start("b", 1);
    state.onFailed(new JobFailed("b", 300, 503, "", Optional.empty(), 500));
    state.onFailed(new JobFailed("a", 300, 503, "", Optional.empty(), 900));

    assertEquals(List.of("c", "d"), ids(state.readyInOrder(499)));
    assertEquals(List.of("b", "c", "d"), ids(state.readyInOrder(500)));
    assertEquals(List.of("a", "b", "c", "d"), ids(state.readyInOrder(900)));
    assertEquals(4, state.readyCount(900));
    List<String> waiting = new ArrayList<>();
    state.waitingIds().forEach(waiting::add);
    assertEquals(List.of("c", "d", "b", "a"), waiting);
  }

  @Test
  void interruptedAttemptsAreRequeuedAndCountedAsRerunsWhenTheyStartAgain() {
    accept("a", null);
    accept("b", null);
    start("a", 1);

    assertEquals(1, state.requeueInterrupted());
    assertEquals(List.of("a", "b"), ids(state.readyInOrder(0)));
    start("a", 2);
    assertEquals(1, state.counters().reruns());
    assertEquals(0, state.counters().retries());
    // The interrupted attempt does not use up the budget: attempt 2 is the first with an outcome.
    assertEquals(1, state.job("a").orElseThrow().budgetAttempt());
  }

  @Test
  void finishedJobsBeyondTheRetentionAreForgottenButPendingCallbacksAndDeadLettersStay() {
    accept("cb", "http://r");
    start("cb", 1);
    succeed("cb");
    accept("dead", null);
    start("dead", 1);
    state.onDeadLettered(new JobDeadLettered("dead", 300, 500, "boom", Optional.empty()));
    for (int i = 0; i < 5; i++) {
      accept("f" + i, null);
      start("f" + i, 1);
      succeed("f" + i);
    }

    assertFalse(state.knows("f0"));
    assertFalse(state.knows("f1"));
    assertTrue(state.knows("f2") && state.knows("f4"));
    assertTrue(state.knows("cb"), "a callback still to deliver keeps its job");
    assertTrue(state.knows("dead"));
    assertEquals(19, state.job("cb").orElseThrow().result().orElseThrow().body().length);

    state.onCallbackDelivered(new CallbackDelivered("cb", 1, 400, 200));
    StoredJob cb = state.job("cb").orElseThrow();
    assertEquals(CallbackState.DELIVERED, cb.callback().orElseThrow().state());
    assertEquals(4, cb.result().orElseThrow().body().length, "only the preview stays");
    accept("f5", null);
    start("f5", 1);
    succeed("f5");
    assertFalse(state.knows("f2"));
    assertTrue(state.knows("cb"));
  }

  @Test
  void callbacksAreDueOnceTheJobEndsAndAgainAfterAFailedDelivery() {
    accept("a", "http://r");
    assertEquals(List.of(), state.callbacksDue(Long.MAX_VALUE, 10));
    start("a", 1);
    succeed("a");
    assertEquals(List.of("a"), state.callbacksDue(0, 10).stream().map(StoredJob::callId).toList());

    state.onCallbackFailed(new CallbackFailed("a", 1, 400, 503, "busy", 800));
    assertEquals(List.of(), state.callbacksDue(799, 10));
    assertEquals(800, state.nextDueAfter(400));
    assertEquals(1, state.callbacksDue(800, 10).size());

    state.onCallbackFailed(new CallbackFailed("a", 2, 800, 410, "gone", 0));
    assertEquals(
        CallbackState.FAILED, state.job("a").orElseThrow().callback().orElseThrow().state());
    assertEquals(1, state.counters().callbackFailures());
    assertEquals(List.of(), state.callbacksDue(Long.MAX_VALUE, 10));
  }

  @Test
  void cancelAndRedriveChangeOnlyJobsInTheRightState() {
    accept("q", "http://r");
    accept("r", null);
    start("r", 1);
    state.onCancelled(new JobCancelled("r", 300)); // running: ignored
    state.onCancelled(new JobCancelled("q", 300));
    assertEquals(JobState.RUNNING, state.job("r").orElseThrow().state());
    StoredJob q = state.job("q").orElseThrow();
    assertEquals(JobState.CANCELLED, q.state());
    assertEquals(CallbackState.FAILED, q.callback().orElseThrow().state());
    assertFalse(q.callbackDue(), "a cancelled job is not called back");

    state.onDeadLettered(new JobDeadLettered("r", 400, 500, "boom", Optional.empty()));
    long deadBytes = state.snapshotBytes();
    assertEquals(0, state.heldBytes());
    state.onRedriven(new JobRedriven("r", 500));
    StoredJob r = state.job("r").orElseThrow();
    assertEquals(JobState.QUEUED, r.state());
    assertEquals(1, r.budgetAttempt(), "a fresh budget");
    assertEquals(0, state.deadLetterCount());
    assertEquals(deadBytes, state.heldBytes());
    state.onRedriven(new JobRedriven("r", 600)); // not dead: ignored
    assertEquals(List.of("r"), ids(state.readyInOrder(0)));
  }

  @Test
  void aSnapshotSurvivesSerializationAndRestoresTheSameState() {
    accept("queued", "http://r");
    accept("running", null);
    start("running", 1);
    accept("retrying", null);
    start("retrying", 1);
    state.onFailed(new JobFailed("retrying", 300, 503, "busy", Optional.of(OK), 5_000));
    accept("dead", "http://r");
    start("dead", 1);
    state.onDeadLettered(new JobDeadLettered("dead", 300, 500, "boom", Optional.of(OK)));
    accept("settling", "http://r");
    start("settling", 1);
    succeed("settling");
    state.onCallbackFailed(new CallbackFailed("settling", 1, 400, 503, "busy", 9_000));
    for (int i = 0; i < 3; i++) {
      accept("f" + i, null);
      start("f" + i, 1);
      succeed("f" + i);
    }
    QueueSnapshot before = state.toSnapshot();

    QueueSnapshot stored = roundTrip(before);
    QueueState restored = QueueState.fromSnapshot(stored, 3, 4);

    assertArrayEquals(bytes(before), bytes(restored.toSnapshot()));
    assertEquals(state.counters(), restored.counters());
    assertEquals(state.heldBytes(), restored.heldBytes());
    assertEquals(state.snapshotBytes(), restored.snapshotBytes());
    assertEquals(ids(state.readyInOrder(5_000)), ids(restored.readyInOrder(5_000)));
    assertEquals(state.nextDueAfter(0), restored.nextDueAfter(0));
    assertEquals(state.deadLetterIds(), restored.deadLetterIds());
    assertEquals(1, restored.runningCount());
    // The order of retained finished jobs survives: the next one forgets the oldest.
    restored.onAccepted(new JobAccepted(request("f3", "", null), 100));
    restored.onStarted(new JobStarted("f3", 1, 200));
    restored.onSucceeded(new JobSucceeded("f3", 300, OK));
    assertFalse(restored.knows("f0"));
    assertTrue(restored.knows("f1"));
  }

  @Test
  void everyEventSurvivesSerialization() {
    SerializationTestKit serialization = new SerializationTestKit(KIT.system());
    List<JobEvent> events =
        List.of(
            new JobAccepted(request("a", "body", "http://r"), 1),
            new JobStarted("a", 1, 2),
            new JobSucceeded("a", 3, OK),
            new JobFailed("a", 4, 503, "busy", Optional.of(OK), 5),
            new JobFailed("a", 4, 502, "refused", Optional.empty(), 0),
            new JobDeadLettered("a", 6, 404, "function deleted", Optional.empty()),
            new JobCancelled("a", 7),
            new JobRedriven("a", 8),
            new CallbackDelivered("a", 1, 9, 204),
            new CallbackFailed("a", 2, 10, 0, "refused", 11));
    for (JobEvent e : events) {
      Object back = serialization.verifySerialization(e, false);
      assertEquals(e.getClass(), back.getClass());
      assertArrayEquals(bytes(e), bytes(back));
    }
  }

  static QueueSnapshot roundTrip(QueueSnapshot s) {
    Serialization serialization = SerializationExtension.get(KIT.system().classicSystem());
    byte[] bytes = serialization.serialize(s).get();
    int id = serialization.findSerializerFor(s).identifier();
    String manifest =
        org.apache.pekko.serialization.Serializers.manifestFor(
            serialization.findSerializerFor(s), s);
    return (QueueSnapshot) serialization.deserialize(bytes, id, manifest).get();
  }

  /** Canonical bytes to compare records that hold byte arrays (their equals compares identity). */
  static byte[] bytes(Object o) {
    return SerializationExtension.get(KIT.system().classicSystem()).serialize(o).get();
  }

  static List<String> ids(Iterator<StoredJob> it) {
    List<String> ids = new ArrayList<>();
    it.forEachRemaining(j -> ids.add(j.callId()));
    return ids;
  }
}
