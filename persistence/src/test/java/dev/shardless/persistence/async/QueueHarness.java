package dev.shardless.persistence.async;

import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.shardless.persistence.async.JobQueue.Command;
import dev.shardless.persistence.async.JobQueue.EnqueueReply;
import dev.shardless.persistence.async.JobView.CallbackState;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.Resources;
import dev.shardless.scheduler.port.FunctionCatalog;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;

/**
 * One function's queue under test, with its scripted runner, recording callback sender and backlog
 * reporter, each observed by a probe. Each harness has a function of its own, so tests sharing an
 * actor system never share a persistence id.
 */
final class QueueHarness {
  /** The persistence testkit's journal and snapshot store, events and snapshots serialized. */
  static final Config TESTKIT_CONFIG =
      ConfigFactory.parseString(
              "pekko.actor.serialization-bindings {"
                  + " \"dev.shardless.scheduler.CborSerializable\" = jackson-cbor }\n"
                  // A hang guard for each expected message, not a timing assertion.
                  + "pekko.actor.testkit.typed.single-expect-default = 10s")
          .withFallback(PersistenceTestKitPlugin.getInstance().config())
          .withFallback(PersistenceTestKitSnapshotPlugin.config());

  /** Small and fast: 3 attempts 1..4 ms apart, a 16-byte preview, snapshots every 50 events. */
  static final AsyncSettings SETTINGS =
      new AsyncSettings(
          1 << 20,
          64 << 10,
          16,
          100,
          1 << 20,
          Duration.ofSeconds(3),
          new AsyncSettings.Backoff(3, Duration.ofMillis(1), Duration.ofMillis(4)),
          new AsyncSettings.Backoff(3, Duration.ofMillis(1), Duration.ofMillis(4)),
          Duration.ofSeconds(1),
          50,
          1 << 20);

  private static final AtomicInteger FUNCTIONS = new AtomicInteger();

  final ActorTestKit kit;
  final FunctionId function;
  final FunctionRecord record;
  final TestProbe<ScriptedRunner.Run> runs;
  final TestProbe<RecordingCallbacks.Delivery> deliveries;
  final TestProbe<RecordingBacklog.Report> backlog;
  final ScriptedRunner runner;
  final RecordingCallbacks callbacks;
  final RecordingTelemetry telemetry = new RecordingTelemetry();
  AsyncSettings settings = SETTINGS;
  FunctionCatalog catalog;
  Clock clock = Clock.systemUTC();
  ActorRef<Command> queue;

  QueueHarness(ActorTestKit kit, Map<String, String> labels) {
    this.kit = kit;
    this.function = new FunctionId("openfaas-fn", "fn" + FUNCTIONS.incrementAndGet());
    this.record = record(function, labels, 1);
    this.runs = kit.createTestProbe();
    this.deliveries = kit.createTestProbe();
    this.backlog = kit.createTestProbe();
    this.runner = new ScriptedRunner(runs.ref());
    this.callbacks = new RecordingCallbacks(deliveries.ref());
    this.catalog = FixedCatalog.of(record);
  }

  static FunctionRecord record(FunctionId id, Map<String, String> labels, long version) {
    FunctionSpec spec =
        new FunctionSpec(
            id,
            "img",
            "cat",
            Map.of("mode", "http"),
            List.of(),
            List.of(),
            labels,
            Map.of(),
            Resources.NONE,
            Resources.NONE,
            false);
    return new FunctionRecord(spec, version, Instant.parse("2026-01-01T00:00:00Z"));
  }

  static JobRequest request(String callId, String body, String callbackUrl) {
    return new JobRequest(
        callId,
        true,
        "POST",
        "/run",
        "x=1",
        List.of(new JobHeader("Content-Type", "text/plain")),
        body.getBytes(StandardCharsets.UTF_8),
        Optional.ofNullable(callbackUrl));
  }

  QueueHarness start() {
    queue =
        kit.spawn(
            JobQueue.create(
                function,
                settings,
                catalog,
                runner,
                callbacks,
                new RecordingBacklog(backlog.ref()),
                telemetry,
                clock));
    return this;
  }

  /** Stops the queue and waits until it is gone (its journal stays). */
  void stop() {
    TestProbe<Object> watcher = kit.createTestProbe();
    kit.stop(queue);
    watcher.expectTerminated(queue);
  }

  EnqueueReply enqueue(JobRequest request) {
    TestProbe<EnqueueReply> reply = kit.createTestProbe();
    queue.tell(new JobQueue.Enqueue(request, reply.ref()));
    return reply.receiveMessage();
  }

  JobQueue.Accepted accept(String callId, String body, String callbackUrl) {
    return (JobQueue.Accepted) enqueue(request(callId, body, callbackUrl));
  }

  Optional<JobView> job(String callId) {
    TestProbe<JobQueue.JobReply> reply = kit.createTestProbe();
    queue.tell(new JobQueue.GetJob(callId, reply.ref()));
    return reply.receiveMessage().job();
  }

  /** Waits until {@code callId} is in {@code state} (and its callback, if any, settled). */
  JobView awaitJob(String callId, JobState state) {
    return awaitJob(callId, j -> j.state() == state);
  }

  /** Waits until the callback of {@code callId} is in {@code state}. */
  JobView awaitCallback(String callId, CallbackState state) {
    return awaitJob(callId, j -> j.callback().map(c -> c.state() == state).orElse(false));
  }

  /** Waits until {@code callId} is known and its view passes {@code condition}; returns it. */
  JobView awaitJob(String callId, Predicate<JobView> condition) {
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> job(callId).map(condition::test).orElse(false));
    return job(callId).orElseThrow();
  }

  JobQueue.QueueStatus status() {
    TestProbe<JobQueue.QueueStatus> reply = kit.createTestProbe();
    queue.tell(new JobQueue.GetQueueStatus(reply.ref()));
    return reply.receiveMessage();
  }

  JobQueue.DeadLetters deadLetters(int limit) {
    TestProbe<JobQueue.DeadLetters> reply = kit.createTestProbe();
    queue.tell(new JobQueue.ListDeadLetters(limit, reply.ref()));
    return reply.receiveMessage();
  }

  JobQueue.Redriven redrive(String... callIds) {
    TestProbe<JobQueue.Redriven> reply = kit.createTestProbe();
    queue.tell(new JobQueue.Redrive(List.of(callIds), reply.ref()));
    return reply.receiveMessage();
  }

  JobQueue.CancelReply cancel(String callId) {
    TestProbe<JobQueue.CancelReply> reply = kit.createTestProbe();
    queue.tell(new JobQueue.Cancel(callId, reply.ref()));
    return reply.receiveMessage();
  }

  String persistenceId() {
    return JobQueue.persistenceIdOf(function).id();
  }
}
