package dev.shardless.persistence.async;

import static dev.shardless.persistence.async.QueueHarness.request;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shardless.persistence.async.JobQueue.Accepted;
import dev.shardless.persistence.async.JobQueue.CancelOutcome;
import dev.shardless.persistence.async.JobQueue.EnqueueReply;
import dev.shardless.persistence.async.JobQueue.Refused;
import dev.shardless.persistence.async.JobView.CallbackState;
import dev.shardless.persistence.async.RecordingCallbacks.Delivery;
import dev.shardless.persistence.async.ScriptedRunner.Run;
import dev.shardless.persistence.registry.SettableClock;
import dev.shardless.scheduler.model.AsyncSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The queue's behaviour against the persistence testkit, with scripted ports. */
class JobQueueTest {
  static final ActorTestKit KIT = ActorTestKit.create("JobQueueTest", QueueHarness.TESTKIT_CONFIG);

  /** Long enough for a message that should not come to show up; not a timing assertion. */
  static final Duration QUIET = Duration.ofMillis(200);

  @AfterAll
  static void shutDown() {
    KIT.shutdownTestKit();
  }

  static QueueHarness queue(Map<String, String> labels) {
    return new QueueHarness(KIT, labels).start();
  }

  static Map<String, String> cap(int n) {
    return Map.of(AsyncSpec.MAX_CONCURRENCY, Integer.toString(n));
  }

  @Test
  void anAcceptedJobRunsOnceAndItsResultIsCalledBackWithTheFunctionsHeaders() {
    QueueHarness h = queue(Map.of());
    h.runner.script(
        "c1",
        Outcomes.response(
            201,
            "hello world, a long body",
            new JobHeader("Content-Type", "text/plain"),
            new JobHeader("Connection", "close, X-Hop"),
            new JobHeader("X-Hop", "gone"),
            new JobHeader("Content-Length", "24"),
            new JobHeader("X-Custom", "kept")));

    assertEquals(new Accepted("c1", false), h.accept("c1", "input", "http://receiver/cb"));

    Run run = h.runs.receiveMessage();
    assertEquals(h.function, run.function());
    assertEquals(1, run.attempt());
    assertEquals("input", new String(run.job().body(), StandardCharsets.UTF_8));
    Delivery d = h.deliveries.receiveMessage();
    assertEquals("http://receiver/cb", d.url());
    assertEquals("hello world, a long body", d.bodyText());
    assertEquals(
        List.of(
            "Content-Type: text/plain",
            "X-Custom: kept",
            "X-Call-Id: c1",
            "X-Function-Status: 201",
            "X-Function-Name: " + h.function.name() + ".openfaas-fn",
            "X-Duration-Seconds: 0.001234"),
        d.headers().stream().map(x -> x.name() + ": " + x.value()).toList());

    JobView view = h.awaitCallback("c1", CallbackState.DELIVERED);
    assertEquals(JobState.SUCCEEDED, view.state());
    assertEquals(1, view.attempts());
    assertEquals(201, view.lastStatus());
    JobView.ResultView result = view.result().orElseThrow();
    assertEquals("hello world, a l", new String(result.body(), StandardCharsets.UTF_8));
    assertTrue(result.truncated());
    assertEquals(
        new JobView.CallbackView("http://receiver/cb", CallbackState.DELIVERED, 1, 200, ""),
        view.callback().orElseThrow());
    h.runs.expectNoMessage(QUIET);
    h.deliveries.expectNoMessage(Duration.ZERO);
  }

  @Test
  void aResultCutByTheRunnerIsCalledBackMarkedTruncated() {
    QueueHarness h = queue(Map.of());
    AttemptOutcome cut =
        new AttemptOutcome(
            AttemptOutcome.Kind.RESPONSE, 200, List.of(), "part".getBytes(), true, 5, "");
    h.runner.script("t1", cut);
    h.accept("t1", "", "http://receiver/cb");
    Delivery d = h.deliveries.receiveMessage();
    assertEquals(Optional.of("true"), d.header("X-Shardless-Result-Truncated"));
    assertEquals("part", d.bodyText());
  }

  @Test
  void aRepeatedCallerSuppliedIdIsTheSameJob() {
    QueueHarness h = queue(Map.of());
    assertEquals(new Accepted("same", false), h.accept("same", "a", null));
    h.runs.receiveMessage();
    h.awaitJob("same", JobState.SUCCEEDED);

    assertEquals(new Accepted("same", true), h.accept("same", "b", null));

    // Twice in one batch: the second sees the first before either is written.
    TestProbe<EnqueueReply> replies = KIT.createTestProbe();
    h.queue.tell(new JobQueue.Enqueue(request("twice", "x", null), replies.ref()));
    h.queue.tell(new JobQueue.Enqueue(request("twice", "y", null), replies.ref()));
    List<EnqueueReply> both = replies.receiveSeveralMessages(2);
    assertTrue(both.contains(new Accepted("twice", false)), both.toString());
    assertTrue(both.contains(new Accepted("twice", true)), both.toString());
    assertEquals("twice", h.runs.receiveMessage().callId());
    h.runs.expectNoMessage(QUIET);
    assertEquals(2, h.status().accepted());
  }

  @Test
  void manyConcurrentEnqueuesShareFewWrites() {
    QueueHarness h = queue(cap(1));
    h.runner.holding(true);
    h.accept("warm-up", "", null); // the queue knows its function; one attempt holds the cap
    h.runs.receiveMessage();
    long writesBefore = h.status().writes();
    AtomicInteger atomicWrites = new AtomicInteger();
    PersistenceTestKit journal = PersistenceTestKit.create(KIT.system());
    journal.withPolicy(
        (persistenceId, operation) -> {
          if (persistenceId.equals(h.persistenceId()) && operation instanceof WriteEvents) {
            atomicWrites.incrementAndGet();
          }
          return ProcessingSuccess.getInstance();
        });
    int n = 2000;

    try {
      TestProbe<EnqueueReply> replies = KIT.createTestProbe();
      for (int i = 0; i < n; i++) {
        h.queue.tell(new JobQueue.Enqueue(request("j" + i, "body", null), replies.ref()));
      }
      List<EnqueueReply> all = replies.receiveSeveralMessages(n, Duration.ofSeconds(20));

      assertTrue(all.stream().allMatch(r -> r instanceof Accepted a && !a.duplicate()));
    } finally {
      journal.resetPolicy();
    }
    JobQueue.QueueStatus status = h.status();
    long writes = status.writes() - writesBefore;
    System.out.printf(
        "batching: %d concurrent enqueues took %d journal writes (%.1f events per write)%n",
        n, atomicWrites.get(), (double) n / atomicWrites.get());
    assertEquals(writes, atomicWrites.get(), "the queue counts the journal's atomic writes");
    assertTrue(writes * 10 <= n, "expected far fewer writes than enqueues, got " + writes);
    assertEquals(n, status.queued());
    assertEquals(n, journal.persistedInStorage(h.persistenceId()).size() - 2);
  }

  @Test
  void aJobThatFailsTwiceRunsThreeTimesAndIsCalledBackOnce() {
    QueueHarness h = queue(Map.of());
    h.runner.script(
        "r1", Outcomes.response(503, "busy"), Outcomes.connectionError(), Outcomes.ok("fine"));

    h.accept("r1", "in", "http://receiver/r1");

    assertEquals(
        List.of(1, 2, 3), h.runs.receiveSeveralMessages(3).stream().map(Run::attempt).toList());
    Delivery d = h.deliveries.receiveMessage();
    assertEquals("fine", d.bodyText());
    assertEquals(Optional.of("200"), d.header("X-Function-Status"));
    JobView view = h.awaitCallback("r1", CallbackState.DELIVERED);
    assertEquals(JobState.SUCCEEDED, view.state());
    assertEquals(3, view.attempts());
    assertEquals(2, h.status().retries());
    assertEquals(2, h.telemetry.retried.get(), "retries reported");
    assertEquals(0, h.telemetry.deadLettered.get());
    h.runs.expectNoMessage(QUIET);
    h.deliveries.expectNoMessage(Duration.ZERO);
  }

  @Test
  void aJobThatAlwaysFailsIsDeadLetteredAfterTheLabelsAttemptsAndRedriveRunsItAgain() {
    QueueHarness h =
        queue(
            Map.of(
                AsyncSpec.RETRY_ATTEMPTS, "2",
                AsyncSpec.RETRY_MIN_WAIT, "1ms",
                AsyncSpec.RETRY_MAX_WAIT, "2ms"));
    h.runner.otherwise(Outcomes.response(500, "boom"));

    h.accept("d1", "in", "http://receiver/d1");

    assertEquals(
        List.of(1, 2), h.runs.receiveSeveralMessages(2).stream().map(Run::attempt).toList());
    Delivery d = h.deliveries.receiveMessage();
    assertEquals(Optional.of("500"), d.header("X-Function-Status"));
    assertEquals("boom", d.bodyText());
    JobView dead = h.awaitCallback("d1", CallbackState.DELIVERED);
    assertEquals(JobState.DEAD_LETTERED, dead.state());
    JobQueue.DeadLetters letters = h.deadLetters(10);
    assertEquals(1, letters.total());
    assertEquals("d1", letters.jobs().get(0).callId());
    assertEquals(1, h.telemetry.deadLettered.get(), "dead letter reported");
    assertEquals(1, h.telemetry.retried.get());
    h.runs.expectNoMessage(QUIET);

    h.runner.otherwise(Outcomes.ok("now fine"));
    assertEquals(List.of("d1"), h.redrive("d1").callIds());

    assertEquals(3, h.runs.receiveMessage().attempt());
    assertEquals(Optional.of("200"), h.deliveries.receiveMessage().header("X-Function-Status"));
    assertEquals(JobState.SUCCEEDED, h.awaitCallback("d1", CallbackState.DELIVERED).state());
    assertEquals(0, h.deadLetters(10).total());
    assertEquals(List.of(), h.redrive("d1").callIds());
  }

  @Test
  void redriveWithoutIdsRequeuesEveryDeadLetter() {
    QueueHarness h = queue(Map.of(AsyncSpec.RETRY_ATTEMPTS, "1"));
    h.runner.otherwise(Outcomes.connectionError());
    for (String id : List.of("a", "b", "c")) {
      h.accept(id, "", null);
      h.awaitJob(id, JobState.DEAD_LETTERED);
    }
    assertEquals(3, h.deadLetters(2).total());
    assertEquals(List.of("a", "b"), h.deadLetters(2).jobs().stream().map(JobView::callId).toList());

    h.runner.otherwise(Outcomes.ok(""));
    assertEquals(List.of("a", "b", "c"), h.redrive().callIds());
    for (String id : List.of("a", "b", "c")) {
      h.awaitJob(id, JobState.SUCCEEDED);
    }
  }

  @Test
  void thePlatforms404FailsTheJobAtOnceAndCallsBack() {
    QueueHarness h = queue(Map.of());
    h.runner.script("g1", Outcomes.rejected(404));

    h.accept("g1", "", "http://receiver/g1");

    Delivery d = h.deliveries.receiveMessage();
    assertEquals(Optional.of("404"), d.header("X-Function-Status"));
    assertEquals("no slot (the function is not deployed)", d.bodyText());
    JobView view = h.awaitCallback("g1", CallbackState.DELIVERED);
    assertEquals(JobState.FAILED, view.state());
    assertEquals(1, view.attempts());
    h.runs.receiveMessage();
    h.runs.expectNoMessage(QUIET);
  }

  @Test
  void aCallbackIsRetriedAndGivenUpWithItsReasonWhenTheReceiverKeepsFailing() {
    QueueHarness h = queue(Map.of());
    h.callbacks.answer("http://down/cb", 0, 503, 502);
    h.callbacks.answer("http://gone/cb", 410);

    h.accept("k1", "", "http://down/cb");
    h.accept("k2", "", "http://gone/cb");

    JobView down = h.awaitCallback("k1", CallbackState.FAILED);
    assertEquals(3, down.callback().orElseThrow().attempts());
    assertEquals(502, down.callback().orElseThrow().lastStatus());
    JobView gone = h.awaitCallback("k2", CallbackState.FAILED);
    assertEquals(1, gone.callback().orElseThrow().attempts());
    assertTrue(gone.callback().orElseThrow().lastError().contains("not retryable"));
    assertEquals(2, h.status().callbackFailures());
    assertEquals(2, h.telemetry.callbacksFailed.get(), "given-up callbacks reported");
    assertEquals(4, h.deliveries.receiveSeveralMessages(4).size());
    h.deliveries.expectNoMessage(QUIET);
  }

  @Test
  void onlyWaitingJobsCanBeCancelled() {
    QueueHarness h = queue(cap(1));
    h.runner.holding(true);
    h.accept("a", "", null);
    Run a = h.runs.receiveMessage();
    h.accept("b", "", "http://receiver/b");

    JobQueue.CancelReply cancelled = h.cancel("b");
    assertEquals(CancelOutcome.CANCELLED, cancelled.outcome());
    assertEquals(JobState.CANCELLED, cancelled.job().orElseThrow().state());
    assertEquals(CancelOutcome.NOT_CANCELLABLE, h.cancel("a").outcome());
    assertEquals(CancelOutcome.NOT_CANCELLABLE, h.cancel("b").outcome());
    assertEquals(
        new JobQueue.CancelReply(CancelOutcome.NOT_FOUND, Optional.empty()), h.cancel("zz"));

    a.outcome().complete(Outcomes.ok(""));
    h.awaitJob("a", JobState.SUCCEEDED);
    h.runs.expectNoMessage(QUIET);
    h.deliveries.expectNoMessage(Duration.ZERO);
    assertEquals(1, h.status().cancelled());
  }

  @Test
  void neverRunsMoreThanTheCapAndStartsJobsInOrder() {
    QueueHarness h = queue(cap(3));
    h.runner.holding(true);
    for (int i = 0; i < 10; i++) {
      h.accept("j" + i, "", null);
    }

    List<Run> open = new ArrayList<>(h.runs.receiveSeveralMessages(3));
    h.runs.expectNoMessage(QUIET);
    JobQueue.QueueStatus status = h.status();
    assertEquals(3, status.running());
    assertEquals(7, status.queued());

    List<String> order = new ArrayList<>();
    while (!open.isEmpty()) {
      Run done = open.remove(0);
      order.add(done.callId());
      done.outcome().complete(Outcomes.ok(""));
      if (order.size() + open.size() < 10) {
        open.add(h.runs.receiveMessage());
      }
    }
    assertEquals(List.of("j0", "j1", "j2", "j3", "j4", "j5", "j6", "j7", "j8", "j9"), order);
    assertTrue(h.runner.mostOpen() <= 3, "at most 3 open, was " + h.runner.mostOpen());
  }

  @Test
  void theBacklogIsTheReadyJobsUpToTheCapAndZeroWhenDrained() {
    QueueHarness h = queue(cap(2));
    h.runner.holding(true);
    for (int i = 0; i < 5; i++) {
      h.accept("b" + i, "", null);
    }
    List<Run> open = new ArrayList<>(h.runs.receiveSeveralMessages(2));

    h.backlog.fishForMessage(
        Duration.ofSeconds(5),
        r -> r.pending() == 2 ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    // Reported again while it lasts: the function's entity forgets it when it restarts.
    RecordingBacklog.Report again = h.backlog.receiveMessage(Duration.ofSeconds(5));
    assertEquals(new RecordingBacklog.Report(h.function, 2), again);
    assertEquals(5, h.telemetry.depth, "all five are unfinished");
    assertTrue(h.telemetry.oldestAcceptedMillis > 0, "the oldest job's acceptance time");

    h.runner.holding(false);
    open.forEach(r -> r.outcome().complete(Outcomes.ok("")));
    h.backlog.fishForMessage(
        Duration.ofSeconds(5),
        r -> r.pending() == 0 ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    for (int i = 0; i < 5; i++) {
      h.awaitJob("b" + i, JobState.SUCCEEDED);
    }
    await().untilAsserted(() -> assertEquals(0, h.telemetry.depth, "drained"));
    assertEquals(0, h.telemetry.oldestAcceptedMillis);
  }

  @Test
  void aDeletedFunctionDeadLettersItsWaitingJobsAndRefusesNewOnesUntilDeployedAgain() {
    QueueHarness h = queue(cap(1));
    h.runner.holding(true);
    h.accept("a", "", null);
    Run a = h.runs.receiveMessage();
    h.accept("b", "", null);
    h.accept("c", "", null);

    h.queue.tell(new JobQueue.FunctionRemoved(2));

    assertEquals("function deleted", h.awaitJob("b", JobState.DEAD_LETTERED).lastError());
    assertEquals("function deleted", h.awaitJob("c", JobState.DEAD_LETTERED).lastError());
    EnqueueReply refused = h.enqueue(request("d", "", null));
    assertEquals(404, ((Refused) refused).status());
    a.outcome().complete(Outcomes.connectionError());
    assertEquals("function deleted", h.awaitJob("a", JobState.DEAD_LETTERED).lastError());
    assertEquals(List.of(), h.redrive().callIds());
    // A stale definition does not bring it back; a newer one does.
    h.queue.tell(new JobQueue.FunctionConfigured(h.record));
    assertEquals(404, ((Refused) h.enqueue(request("d", "", null))).status());

    h.queue.tell(new JobQueue.FunctionConfigured(QueueHarness.record(h.function, cap(1), 3)));

    assertEquals(new Accepted("e", false), h.accept("e", "", null));
    assertEquals("e", h.runs.receiveMessage().callId());
  }

  @Test
  void anUnknownFunctionRefusesWith404() {
    QueueHarness h = new QueueHarness(KIT, Map.of());
    h.catalog = FixedCatalog.empty();
    h.start();

    Refused refused = (Refused) h.enqueue(request("x", "", null));

    assertEquals(404, refused.status());
    assertTrue(refused.reason().contains(h.function.toString()), refused.reason());
  }

  @Test
  void anAbsentFunctionIsLookedUpAgainBeforeA404OnceTheLastAnswerIsASecondOld() {
    QueueHarness h = new QueueHarness(KIT, Map.of());
    FixedCatalog catalog = FixedCatalog.empty();
    SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    h.catalog = catalog;
    h.clock = clock;
    h.start();
    assertEquals(404, ((Refused) h.enqueue(request("x", "", null))).status());

    catalog.now(Optional.of(h.record)); // deployed, and the queue was not told
    assertEquals(404, ((Refused) h.enqueue(request("x", "", null))).status());
    clock.set(clock.instant().plus(QueueBehavior.LOOKUP_RETRY));

    assertEquals(new Accepted("x", false), h.accept("x", "", null));
  }

  @Test
  void acceptsWaitForTheDefinitionAndAConfigurationThatArrivesFirstWins() {
    QueueHarness h = new QueueHarness(KIT, Map.of());
    FixedCatalog catalog = FixedCatalog.pending();
    h.catalog = catalog;
    h.start();
    TestProbe<EnqueueReply> reply = KIT.createTestProbe();
    h.queue.tell(new JobQueue.Enqueue(request("w", "", null), reply.ref()));
    reply.expectNoMessage(QUIET);

    h.queue.tell(new JobQueue.FunctionConfigured(h.record));
    assertEquals(new Accepted("w", false), reply.receiveMessage());
    catalog.answer.complete(Optional.empty()); // late and older: ignored
    assertEquals(new Accepted("w2", false), h.accept("w2", "", null));
  }

  @Test
  void aFullQueueRefusesWith503AndRetryAfter() {
    QueueHarness h = new QueueHarness(KIT, cap(1));
    h.settings = withMaxQueuedBytes(200);
    h.runner.holding(true);
    h.start();
    String body = "x".repeat(100);
    h.accept("a", body, null);

    EnqueueReply reply = h.enqueue(request("b", body, null));

    Refused refused = assertInstanceOf(Refused.class, reply);
    assertEquals(503, refused.status());
    assertTrue(refused.retryAfterSeconds() > 0);
    assertFalse(h.job("b").isPresent());
  }

  static AsyncSettings withMaxQueuedBytes(long bytes) {
    AsyncSettings s = QueueHarness.SETTINGS;
    return new AsyncSettings(
        s.maxBody(),
        s.maxResult(),
        s.resultPreview(),
        s.retainFinished(),
        bytes,
        s.askTimeout(),
        s.retry(),
        s.callback(),
        s.callbackTimeout(),
        s.snapshotEvery(),
        s.snapshotMaxBytes());
  }
}
