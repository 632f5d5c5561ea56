package dev.shardless.persistence.async;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.shardless.persistence.async.JobView.CallbackState;
import dev.shardless.persistence.async.RecordingCallbacks.Delivery;
import dev.shardless.persistence.async.ScriptedRunner.Run;
import dev.shardless.scheduler.model.AsyncSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.testkit.SnapshotMeta;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** What a queue finds again after a stop: its journal and snapshots in the persistence testkit. */
class JobQueueRecoveryTest {
  static final ActorTestKit KIT =
      ActorTestKit.create("JobQueueRecoveryTest", QueueHarness.TESTKIT_CONFIG);

  @AfterAll
  static void shutDown() {
    KIT.shutdownTestKit();
  }

  @Test
  void anInterruptedAttemptRunsAgainAndAPendingCallbackIsSentAgain() {
    QueueHarness h = new QueueHarness(KIT, Map.of(AsyncSpec.MAX_CONCURRENCY, "1")).start();
    h.runner.holding(true);
    h.callbacks.holding(true);
    h.accept("cb1", "", "http://receiver/cb1");
    h.runs.receiveMessage().outcome().complete(Outcomes.ok("result"));
    Delivery lost = h.deliveries.receiveMessage();
    h.accept("run1", "", null);
    assertEquals(1, h.runs.receiveMessage().attempt());
    h.accept("waiting", "", null);

    h.stop();
    h.start();

    Run again = h.runs.receiveMessage();
    assertEquals("run1", again.callId());
    assertEquals(2, again.attempt());
    Delivery resent = h.deliveries.receiveMessage();
    assertEquals(lost.url(), resent.url());
    assertEquals("result", resent.bodyText());
    assertEquals(Optional.of("cb1"), resent.header("X-Call-Id"));
    assertEquals(1, h.status().reruns());

    again.outcome().complete(Outcomes.ok(""));
    assertEquals("waiting", h.runs.receiveMessage().callId());
    resent.outcome().complete(new CallbackSender.CallbackOutcome(204, ""));
    assertEquals(JobState.SUCCEEDED, h.awaitJob("run1", JobState.SUCCEEDED).state());
    assertEquals(2, h.job("run1").orElseThrow().attempts());
    JobView cb1 = h.awaitCallback("cb1", CallbackState.DELIVERED);
    assertEquals(204, cb1.callback().orElseThrow().lastStatus());
  }

  @Test
  void aJobWaitingForItsRetryRunsWhenDueAfterARestart() {
    QueueHarness h =
        new QueueHarness(
                KIT, Map.of(AsyncSpec.RETRY_MIN_WAIT, "300ms", AsyncSpec.RETRY_MAX_WAIT, "300ms"))
            .start();
    h.runner.script("r", Outcomes.response(503, "busy"), Outcomes.ok("done"));
    h.accept("r", "", null);
    h.runs.receiveMessage();
    h.awaitJob("r", JobState.RETRY_WAIT);

    h.stop();
    h.start();

    assertEquals(JobState.RETRY_WAIT, h.job("r").orElseThrow().state());
    assertEquals(2, h.runs.receiveMessage(Duration.ofSeconds(5)).attempt());
    h.awaitJob("r", JobState.SUCCEEDED);
    assertEquals(0, h.status().reruns());
  }

  @Test
  void stateRecoveredFromASnapshotIsTheStateBefore() {
    QueueHarness h = new QueueHarness(KIT, Map.of(AsyncSpec.MAX_CONCURRENCY, "2")).start();
    h.runner.script("dead", Outcomes.connectionError());
    h.runner.script("failed", Outcomes.rejected(404));
    h.callbacks.answer("http://down", 0);
    List<String> ids = new ArrayList<>(List.of("dead", "failed"));
    for (int i = 0; i < 20; i++) {
      ids.add("ok" + i);
    }
    for (String id : ids) {
      h.accept(id, "body of " + id, id.endsWith("3") ? "http://down" : "http://up");
    }
    for (String id : ids) {
      h.awaitJob(
          id,
          id.equals("dead")
              ? JobState.DEAD_LETTERED
              : id.equals("failed") ? JobState.FAILED : JobState.SUCCEEDED);
    }
    h.runner.holding(true);
    h.accept("running", "", null);
    h.runs.fishForMessage(
        Duration.ofSeconds(5),
        r ->
            r.callId().equals("running")
                ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
    h.accept("queued1", "", null);
    h.accept("queued2", "", null);
    h.accept("queued3", "", null);
    ids.addAll(List.of("running", "queued1", "queued2", "queued3"));
    awaitSettledCallbacks(h, ids);
    Picture before = Picture.of(h, ids);
    List<Pair<SnapshotMeta, Object>> snapshots =
        SnapshotTestKit.create(KIT.system()).persistedInStorage(h.persistenceId());
    assertFalse(snapshots.isEmpty(), "more than snapshot-every events: a snapshot was taken");
    long snapshotAt = snapshots.get(snapshots.size() - 1).first().sequenceNr();

    h.stop();
    // Keep only the events after the snapshot: the snapshot alone must carry everything before.
    PersistenceTestKit journal = PersistenceTestKit.create(KIT.system());
    List<Object> events = journal.persistedInStorage(h.persistenceId());
    List<Object> after = new ArrayList<>(events.subList((int) snapshotAt, events.size()));
    journal.clearByIdPreservingSeqNumbers(h.persistenceId());
    if (!after.isEmpty()) {
      journal.persistForRecovery(h.persistenceId(), after);
    }
    // No definition yet: the recovered queue answers from its state and starts nothing.
    h.catalog = FixedCatalog.pending();
    h.start();

    assertEquals(before.withRunningRequeued(), Picture.of(h, ids));
  }

  private static void awaitSettledCallbacks(QueueHarness h, List<String> ids) {
    for (String id : ids) {
      h.awaitJob(
          id,
          j ->
              !j.state().terminal()
                  || j.callback().map(c -> c.state() != CallbackState.PENDING).orElse(true));
    }
  }

  /** What the queue shows of itself: its counts and every job's view, in bytes for equality. */
  record Picture(List<Object> counts, List<String> views) {
    static Picture of(QueueHarness h, List<String> ids) {
      JobQueue.QueueStatus s = h.status();
      List<Object> counts =
          List.of(
              s.queued() + s.running(),
              s.retryWaiting(),
              s.deadLetters(),
              s.accepted(),
              s.succeeded(),
              s.failed(),
              s.retries(),
              s.callbackFailures(),
              s.oldestWaitingEpochMillis(),
              s.cancelled());
      List<String> views = new ArrayList<>();
      for (String id : ids) {
        views.add(id + " " + h.job(id).map(Picture::show).orElse("-"));
      }
      views.add("dead letters " + h.deadLetters(100).jobs().stream().map(JobView::callId).toList());
      return new Picture(counts, views);
    }

    /** The same picture once a restart has put the running jobs back in the queue. */
    Picture withRunningRequeued() {
      return new Picture(
          counts, views.stream().map(v -> v.replace(" RUNNING ", " QUEUED ")).toList());
    }

    static String show(JobView v) {
      return v.state()
          + " attempts="
          + v.attempts()
          + " status="
          + v.lastStatus()
          + " error="
          + v.lastError()
          + " started="
          + v.startedAt()
          + " finished="
          + v.finishedAt()
          + " result="
          + v.result().map(r -> r.status() + ":" + new String(r.body()) + ":" + r.truncated())
          + " callback="
          + v.callback();
    }
  }
}
