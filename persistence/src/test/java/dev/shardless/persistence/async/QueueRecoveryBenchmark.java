package dev.shardless.persistence.async;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.shardless.persistence.journal.JournalConfig;
import dev.shardless.persistence.testing.CassandraServer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long a queue takes to recover 100,000 finished jobs from a real journal (the H2 file, or a
 * real Cassandra started by the test harness with {@code -Dshardless.bench.backend=cassandra}):
 * once by replaying all 300,000 events (no snapshot), once from a snapshot. Not part of the build
 * (no {@code Test}/{@code IT} suffix, and it needs {@code -Dshardless.bench=true}); run it with
 * {@code loadtest/bench/queue-recovery.sh}.
 */
@EnabledIfSystemProperty(named = "shardless.bench", matches = "true")
class QueueRecoveryBenchmark {
  static final int JOBS = Integer.getInteger("shardless.bench.jobs", 100_000);
  static final Duration GUARD = Duration.ofMinutes(5);

  @TempDir Path dataDir;

  static final String BACKEND = System.getProperty("shardless.bench.backend", "h2");

  @Test
  void recoveryOfAHundredThousandFinishedJobs() throws Exception {
    String prefix = CassandraServer.uniqueKeyspacePrefix();
    Config store =
        BACKEND.equals("cassandra")
            ? CassandraServer.shared().persistenceConfig(prefix)
            : ConfigFactory.empty();
    Config base =
        store.withFallback(
            ConfigFactory.parseString(
                    "pekko.actor.serialization-bindings {"
                        + " \"dev.shardless.scheduler.CborSerializable\" = jackson-cbor }\n"
                        + "pekko.actor.testkit.typed.single-expect-default = 5m")
                .withFallback(ConfigFactory.load()));
    Config config = JournalConfig.forDataDir(dataDir, base).withFallback(base);
    ActorTestKit kit = ActorTestKit.create("QueueRecoveryBenchmark", config);
    try {
      JournalConfig.prepare(kit.system()).toCompletableFuture().get(1, TimeUnit.MINUTES);
      QueueHarness h = new QueueHarness(kit, Map.of());
      h.settings = AsyncSettings.fromConfig(config);

      long seeding = seed(kit, h, QueueRecoveryScaleTest.finishedJobs(JOBS));
      long replay = timeRecovery(h);
      assertEquals(JOBS, h.status().succeeded());

      // Enough new work for a snapshot (every snapshot-every events), then recover again.
      for (int i = 0; i < h.settings.snapshotEvery(); i++) {
        h.accept("more-" + i, "", null);
      }
      org.awaitility.Awaitility.await()
          .atMost(GUARD)
          .until(() -> h.status().succeeded() == JOBS + h.settings.snapshotEvery());
      h.stop();
      List<String> snapshots =
          BACKEND.equals("cassandra")
              ? cassandraSnapshots(prefix, h.persistenceId())
              : snapshots(config, h.persistenceId());
      assertFalse(snapshots.isEmpty());
      long fromSnapshot = timeRecovery(h);
      assertEquals(JOBS + h.settings.snapshotEvery(), h.status().succeeded());

      System.out.printf(
          "%s queue recovery, %d finished jobs: seeding %d events took %d ms; full replay %d ms;"
              + " from the last snapshot %d ms; snapshots (sequence nr: bytes) %s%n",
          BACKEND, JOBS, 3 * JOBS, seeding, replay, fromSnapshot, snapshots);
    } finally {
      kit.shutdownTestKit();
    }
  }

  /** Milliseconds from spawning the queue to its first answer (recovery comes first). */
  private static long timeRecovery(QueueHarness h) {
    long started = System.nanoTime();
    h.start();
    h.status();
    return (System.nanoTime() - started) / 1_000_000;
  }

  /** The queue's snapshots in the H2 file, as "sequence nr: payload bytes" (in-process JDBC). */
  private static List<String> snapshots(Config config, String persistenceId) throws Exception {
    Config db = config.getConfig("pekko-persistence-jdbc.shared-databases.slick.db");
    try (Connection c =
            DriverManager.getConnection(
                db.getString("url"), db.getString("user"), db.getString("password"));
        PreparedStatement q =
            c.prepareStatement(
                "SELECT \"sequence_number\", OCTET_LENGTH(\"snapshot_payload\") FROM"
                    + " PUBLIC.\"snapshot\" WHERE \"persistence_id\" = ? ORDER BY 1")) {
      q.setString(1, persistenceId);
      List<String> found = new ArrayList<>();
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          found.add(rs.getLong(1) + ": " + rs.getLong(2));
        }
      }
      return found;
    }
  }

  /** The queue's snapshots in Cassandra, as "sequence nr: payload bytes". */
  private static List<String> cassandraSnapshots(String prefix, String persistenceId) {
    try (CqlSession session = CassandraServer.shared().connect()) {
      List<String> found = new ArrayList<>();
      for (Row row :
          session.execute(
              SimpleStatement.newInstance(
                  "SELECT sequence_nr, snapshot_data, snapshot FROM "
                      + prefix
                      + "_snapshot.snapshots WHERE persistence_id = ?",
                  persistenceId))) {
        ByteBuffer data = row.getByteBuffer("snapshot_data");
        ByteBuffer legacy = row.getByteBuffer("snapshot");
        long bytes = data != null ? data.remaining() : legacy == null ? 0 : legacy.remaining();
        found.add(row.getLong("sequence_nr") + ": " + bytes);
      }
      return found;
    }
  }

  /** Writes {@code events} under the queue's persistence id, 3,000 per atomic write. */
  private static long seed(ActorTestKit kit, QueueHarness h, List<Object> events) {
    long started = System.nanoTime();
    ActorRef<Seeder.Seed> seeder =
        kit.spawn(Seeder.create(PersistenceId.ofUniqueId(h.persistenceId())));
    TestProbe<Done> done = kit.createTestProbe();
    for (int i = 0; i < events.size(); i += 3_000) {
      List<JobEvent> batch =
          events.subList(i, Math.min(events.size(), i + 3_000)).stream()
              .map(JobEvent.class::cast)
              .toList();
      seeder.tell(new Seeder.Seed(batch, done.ref()));
      done.receiveMessage(GUARD);
    }
    kit.stop(seeder);
    return (System.nanoTime() - started) / 1_000_000;
  }

  /** Writes given events under a persistence id, as a queue would have. */
  static final class Seeder extends EventSourcedBehavior<Seeder.Seed, JobEvent, Long> {
    record Seed(List<JobEvent> events, ActorRef<Done> replyTo) {}

    static Behavior<Seed> create(PersistenceId id) {
      return new Seeder(id);
    }

    private Seeder(PersistenceId id) {
      super(id);
    }

    @Override
    public Long emptyState() {
      return 0L;
    }

    @Override
    public CommandHandler<Seed, JobEvent, Long> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(
              Seed.class,
              (state, seed) ->
                  Effect()
                      .persist(seed.events())
                      .thenRun(s -> seed.replyTo().tell(Done.getInstance())))
          .build();
    }

    @Override
    public EventHandler<Long, JobEvent> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, e) -> state + 1);
    }
  }
}
