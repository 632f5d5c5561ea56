package dev.shardless.persistence.async;

import static dev.shardless.persistence.async.QueueHarness.request;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shardless.persistence.SingleNode;
import dev.shardless.persistence.async.JobQueue.Command;
import dev.shardless.persistence.async.JobQueue.EnqueueReply;
import dev.shardless.persistence.async.JobView.CallbackState;
import dev.shardless.persistence.async.RecordingCallbacks.Delivery;
import dev.shardless.persistence.async.ScriptedRunner.Run;
import dev.shardless.scheduler.model.AsyncSpec;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sharded queue on the real H2 file journal, across a node restart. */
class JobQueuePersistenceIT {
  /** Upper bound for what must happen; a hang guard, not a timing assertion. */
  static final Duration GUARD = Duration.ofSeconds(30);

  static final FunctionId FN = new FunctionId("openfaas-fn", "resize");
  static final FunctionRecord RECORD =
      QueueHarness.record(FN, Map.of(AsyncSpec.MAX_CONCURRENCY, "1"), 1);

  @TempDir Path dataDir;
  ActorSystem<Void> system;

  /** One incarnation of the node: its queue's ports, observed by probes of its own system. */
  record Node(
      ActorSystem<Void> system,
      ScriptedRunner runner,
      RecordingCallbacks callbacks,
      TestProbe<Run> runs,
      TestProbe<Delivery> deliveries) {
    EntityRef<Command> queue() {
      return ClusterSharding.get(system).entityRefFor(JobQueue.TYPE_KEY, FN.entityId());
    }

    EnqueueReply enqueue(JobRequest request) throws Exception {
      return SingleNode.result(
          queue().ask(replyTo -> new JobQueue.Enqueue(request, replyTo), GUARD));
    }

    JobQueue.QueueStatus status() throws Exception {
      return SingleNode.result(queue().ask(JobQueue.GetQueueStatus::new, GUARD));
    }

    Optional<JobView> job(String callId) throws Exception {
      return SingleNode.result(
              queue()
                  .ask(
                      (org.apache.pekko.actor.typed.ActorRef<JobQueue.JobReply> r) ->
                          new JobQueue.GetJob(callId, r),
                      GUARD))
          .job();
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (system != null) {
      SingleNode.terminate(system);
    }
  }

  @Test
  void aQueueComesBackByItselfAfterARestartAndFinishesItsWork() throws Exception {
    Node first = startNode();
    first.runner().holding(true);
    first.callbacks().holding(true);
    assertEquals(
        new JobQueue.Accepted("cb1", false), first.enqueue(request("cb1", "a", "http://r/1")));
    first.runs().receiveMessage(GUARD).outcome().complete(Outcomes.ok("result"));
    first.deliveries().receiveMessage(GUARD);
    assertEquals(new JobQueue.Accepted("run1", false), first.enqueue(request("run1", "b", null)));
    assertEquals("run1", first.runs().receiveMessage(GUARD).callId());
    assertEquals(new JobQueue.Accepted("later", false), first.enqueue(request("later", "c", null)));
    SingleNode.terminate(system);

    Node second = startNode();
    second.runner().holding(true);

    // Nobody sends the queue anything: it is a remembered entity and starts with the shard.
    Run rerun = second.runs().receiveMessage(GUARD);
    assertEquals("run1", rerun.callId());
    assertEquals(2, rerun.attempt());
    Delivery resent = second.deliveries().receiveMessage(GUARD);
    assertEquals(Optional.of("cb1"), resent.header("X-Call-Id"));
    assertEquals("result", resent.bodyText());
    rerun.outcome().complete(Outcomes.ok("done"));
    second.runs().receiveMessage(GUARD).outcome().complete(Outcomes.ok("done too"));
    await().atMost(GUARD).until(() -> second.status().succeeded() == 3);
    JobQueue.QueueStatus status = second.status();
    assertEquals(1, status.reruns());
    assertEquals(3, status.accepted());
    assertEquals(
        CallbackState.DELIVERED, second.job("cb1").orElseThrow().callback().orElseThrow().state());
    assertEquals(2, second.job("run1").orElseThrow().attempts());
  }

  @Test
  void concurrentEnqueuesShareWritesOnH2() throws Exception {
    Node node = startNode();
    node.runner().holding(true);
    node.enqueue(request("warm-up", "", null));
    long before = node.status().writes();
    int n = 1000;
    TestProbe<EnqueueReply> replies = TestProbe.create(node.system());
    for (int i = 0; i < n; i++) {
      node.queue().tell(new JobQueue.Enqueue(request("j" + i, "body", null), replies.ref()));
    }
    List<EnqueueReply> all = replies.receiveSeveralMessages(n, GUARD);

    assertTrue(all.stream().allMatch(r -> r instanceof JobQueue.Accepted));
    long writes = node.status().writes() - before;
    System.out.printf("batching on H2: %d concurrent enqueues took %d writes%n", n, writes);
    assertTrue(writes * 10 <= n, "expected far fewer writes than enqueues, got " + writes);
  }

  private Node startNode() throws Exception {
    system = SingleNode.start(dataDir, "queue-it");
    TestProbe<Run> runs = TestProbe.create(system);
    TestProbe<Delivery> deliveries = TestProbe.create(system);
    ScriptedRunner runner = new ScriptedRunner(runs.ref());
    RecordingCallbacks callbacks = new RecordingCallbacks(deliveries.ref());
    JobQueue.init(
        system,
        QueueHarness.SETTINGS,
        FixedCatalog.of(RECORD),
        runner,
        callbacks,
        (function, pending) -> {},
        QueueTelemetry.NONE,
        Clock.systemUTC());
    return new Node(system, runner, callbacks, runs, deliveries);
  }
}
