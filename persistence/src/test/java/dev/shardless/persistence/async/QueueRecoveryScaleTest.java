package dev.shardless.persistence.async;

import static dev.shardless.persistence.async.QueueHarness.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.shardless.persistence.async.JobEvent.JobAccepted;
import dev.shardless.persistence.async.JobEvent.JobStarted;
import dev.shardless.persistence.async.JobEvent.JobSucceeded;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A queue whose journal holds 100,000 finished jobs and no snapshot recovers by replaying them all:
 * every event costs O(log n), and only the last {@code retain-finished} jobs stay in memory. Its
 * own actor system, so that the large in-memory journal goes away with it. (The same on the real H2
 * journal, with and without a snapshot: {@code QueueRecoveryBenchmark}.)
 */
class QueueRecoveryScaleTest {
  static final ActorTestKit KIT =
      ActorTestKit.create(
          "QueueRecoveryScaleTest",
          // Serialization of events is covered elsewhere; here it would only slow the seeding.
          ConfigFactory.parseString("pekko.persistence.testkit.events.serialize = off")
              .withFallback(QueueHarness.TESTKIT_CONFIG));

  @AfterAll
  static void shutDown() {
    KIT.shutdownTestKit();
  }

  static List<Object> finishedJobs(int jobs) {
    List<Object> events = new ArrayList<>(3 * jobs);
    StoredResult ok = new StoredResult(200, List.of(), "ok".getBytes(), 2, false, 1000);
    for (int i = 0; i < jobs; i++) {
      String id = "job-" + i;
      events.add(new JobAccepted(request(id, "payload " + i, null), 1_000 + i));
      events.add(new JobStarted(id, 1, 2_000 + i));
      events.add(new JobSucceeded(id, 3_000 + i, ok));
    }
    return events;
  }

  @Test
  void recoversAHundredThousandFinishedJobs() {
    QueueHarness h = new QueueHarness(KIT, Map.of());
    int jobs = 100_000;
    List<Object> events = finishedJobs(jobs);
    PersistenceTestKit.create(KIT.system()).persistForRecovery(h.persistenceId(), events);

    long started = System.nanoTime();
    h.start();
    JobQueue.QueueStatus status = h.status();
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.printf(
        "recovery: %d finished jobs (%d events, persistence testkit) in %d ms%n",
        jobs, events.size(), millis);

    assertEquals(jobs, status.accepted());
    assertEquals(jobs, status.succeeded());
    assertEquals(0, status.queued() + status.running() + status.retryWaiting());
    assertTrue(h.job("job-" + (jobs - 1)).isPresent());
    assertTrue(h.job("job-" + (jobs - h.settings.retainFinished())).isPresent());
    assertFalse(h.job("job-" + (jobs - h.settings.retainFinished() - 1)).isPresent());
    assertEquals(
        new JobQueue.Accepted("job-" + (jobs - 1), true), h.accept("job-" + (jobs - 1), "", null));
    assertEquals(new JobQueue.Accepted("new", false), h.accept("new", "", null));
  }
}
