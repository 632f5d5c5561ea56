package dev.shardless.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.shardless.persistence.testing.CassandraServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link JournalConfig#prepare} leaves in a real Cassandra. */
class CassandraJournalIT {
  /** Upper bound for a stage that must complete; a hang guard, not a timing assertion. */
  static final Duration GUARD = Duration.ofMinutes(1);

  @TempDir Path dataDir;

  @Test
  void prepareCreatesBothKeyspacesInTheDatacenterWithOnlyTheTablesInUse() throws Exception {
    CassandraServer server = CassandraServer.shared();
    String prefix = CassandraServer.uniqueKeyspacePrefix();
    Config base = server.persistenceConfig(prefix).withFallback(ConfigFactory.load());
    ActorSystem<Void> system =
        ActorSystem.create(
            Behaviors.empty(),
            "journal-it",
            JournalConfig.forDataDir(dataDir, base).withFallback(base));
    try {
      result(JournalConfig.prepare(system));
      result(JournalConfig.prepare(system));
    } finally {
      system.terminate();
      result(system.getWhenTerminated());
    }

    try (CqlSession cql = server.connect()) {
      for (String keyspace : new String[] {prefix + "_journal", prefix + "_snapshot"}) {
        assertEquals(
            Map.of(
                "class",
                "org.apache.cassandra.locator.NetworkTopologyStrategy",
                CassandraServer.DATACENTER,
                "1"),
            cql.execute(
                    "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?",
                    keyspace)
                .one()
                .getMap(0, String.class, String.class),
            keyspace);
      }
      // No tag_views, tag_write_progress, tag_scanning: events by tag are off.
      assertEquals(
          Set.of("messages", "metadata", "all_persistence_ids"), tables(cql, prefix + "_journal"));
      assertEquals(Set.of("snapshots"), tables(cql, prefix + "_snapshot"));
    }
  }

  private static Set<String> tables(CqlSession cql, String keyspace) {
    return cql
        .execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", keyspace)
        .all()
        .stream()
        .map(row -> row.getString(0))
        .collect(Collectors.toSet());
  }

  private static <T> T result(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(GUARD.toSeconds(), TimeUnit.SECONDS);
  }
}
