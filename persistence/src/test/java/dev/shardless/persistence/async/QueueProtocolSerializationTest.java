package dev.shardless.persistence.async;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The queue's commands and replies cross the network between the gateway and the queue. */
class QueueProtocolSerializationTest {
  static final ActorTestKit KIT =
      ActorTestKit.create("QueueProtocolSerializationTest", QueueHarness.TESTKIT_CONFIG);

  @AfterAll
  static void shutDown() {
    KIT.shutdownTestKit();
  }

  @Test
  void commandsAndRepliesSurviveSerialization() {
    SerializationTestKit serialization = new SerializationTestKit(KIT.system());
    TestProbe<Object> probe = KIT.createTestProbe();
    JobView view =
        new JobView(
            "c1",
            "echo.openfaas-fn",
            JobState.SUCCEEDED,
            2,
            Instant.parse("2026-01-01T00:00:00Z"),
            Optional.of(Instant.parse("2026-01-01T00:00:01Z")),
            Optional.of(Instant.parse("2026-01-01T00:00:02Z")),
            Optional.empty(),
            200,
            "",
            "POST",
            "/x",
            Optional.of(
                new JobView.ResultView(
                    200, List.of(new JobHeader("A", "b")), "ok".getBytes(), false, 7)),
            Optional.of(
                new JobView.CallbackView("http://r", JobView.CallbackState.DELIVERED, 1, 204, "")));
    List<Object> messages =
        List.of(
            new JobQueue.Enqueue(
                QueueHarness.request("c1", "body", "http://r"), probe.ref().narrow()),
            new JobQueue.Accepted("c1", true),
            new JobQueue.Refused(503, "full", 5),
            new JobQueue.FunctionConfigured(
                QueueHarness.record(
                    new dev.shardless.scheduler.model.FunctionId("openfaas-fn", "echo"),
                    java.util.Map.of(),
                    3)),
            new JobQueue.FunctionRemoved(4),
            new JobQueue.GetJob("c1", probe.ref().narrow()),
            new JobQueue.JobReply(Optional.of(view)),
            new JobQueue.JobReply(Optional.empty()),
            new JobQueue.Cancel("c1", probe.ref().narrow()),
            new JobQueue.CancelReply(JobQueue.CancelOutcome.CANCELLED, Optional.of(view)),
            new JobQueue.ListDeadLetters(10, probe.ref().narrow()),
            new JobQueue.DeadLetters(List.of(view), 3),
            new JobQueue.Redrive(List.of("c1"), probe.ref().narrow()),
            new JobQueue.Redriven(List.of("c1")),
            new JobQueue.GetQueueStatus(probe.ref().narrow()),
            new JobQueue.QueueStatus(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14),
            JobQueue.Stop.INSTANCE);
    for (Object message : messages) {
      Object back = serialization.verifySerialization(message, false);
      assertEquals(message.getClass(), back.getClass());
      assertArrayEquals(bytes(message), bytes(back), message.toString());
    }
  }

  /** Records holding byte arrays compare by identity: compare their serialized form. */
  static byte[] bytes(Object o) {
    return SerializationExtension.get(KIT.system().classicSystem()).serialize(o).get();
  }
}
