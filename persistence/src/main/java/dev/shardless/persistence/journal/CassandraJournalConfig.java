package dev.shardless.persistence.journal;

import dev.shardless.persistence.CassandraSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * The pekko-persistence-cassandra side of {@link JournalConfig}: plugin and driver settings, and
 * the wait for the keyspaces and tables.
 *
 * <p>The journal, snapshot store and read journal share one driver session (the plugin's {@code
 * CassandraSessionRegistry} entry for {@code pekko.persistence.cassandra}). When that session
 * connects, the plugin first runs its schema statements (keyspaces, then {@code messages}, {@code
 * metadata}, {@code all_persistence_ids} and {@code snapshots}, all {@code IF NOT EXISTS}); every
 * later request waits for them. {@link #prepare} waits for the same session, so it completes only
 * after those statements ran, then checks that the tables exist: the plugin only logs a warning
 * when a schema statement fails.
 *
 * <p>Events by tag are off: nothing here queries by tag, and on they cost three more tables and a
 * tag writer per journal.
 */
final class CassandraJournalConfig {

  /** The plugin's shared section; its journal, snapshot and query sections are below it. */
  static final String PLUGIN = "pekko.persistence.cassandra";

  static final String JOURNAL_PLUGIN = PLUGIN + ".journal";
  static final String SNAPSHOT_PLUGIN = PLUGIN + ".snapshot";

  static final List<String> JOURNAL_TABLES = List.of("messages", "metadata", "all_persistence_ids");
  static final List<String> SNAPSHOT_TABLES = List.of("snapshots");

  private static final String DRIVER = "datastax-java-driver.";

  private CassandraJournalConfig() {}

  /** The plugin and driver settings for {@code cassandra}, as config paths and values. */
  static Map<String, Object> settings(CassandraSettings cassandra) {
    Map<String, Object> m = new HashMap<>();
    m.put("pekko.persistence.journal.plugin", JOURNAL_PLUGIN);
    m.put("pekko.persistence.snapshot-store.plugin", SNAPSHOT_PLUGIN);
    store(m, JOURNAL_PLUGIN, cassandra.journalKeyspace(), cassandra);
    store(m, SNAPSHOT_PLUGIN, cassandra.snapshotKeyspace(), cassandra);
    m.put(PLUGIN + ".events-by-tag.enabled", false);
    m.put(
        DRIVER + "basic.contact-points",
        cassandra.contactPoints().stream().map(Object::toString).toList());
    m.put(DRIVER + "basic.load-balancing-policy.local-datacenter", cassandra.datacenter());
    // Default profile: schema statements and prepares. The plugin's read and write profiles only
    // set their consistency and inherit this timeout.
    m.put(DRIVER + "basic.request.timeout", cassandra.requestTimeout().toMillis() + "ms");
    // Keep trying when no contact point answers yet, so a node may start before Cassandra; the
    // driver's default gives up at once and the plugin's session would stay failed.
    m.put(DRIVER + "advanced.reconnect-on-init", true);
    // Retry a lost or not-yet-reachable node within seconds (the default backs off to 60s).
    m.put(DRIVER + "advanced.reconnection-policy.max-delay", "10s");
    return m;
  }

  private static void store(
      Map<String, Object> m, String plugin, String keyspace, CassandraSettings cassandra) {
    m.put(plugin + ".keyspace", keyspace);
    m.put(plugin + ".keyspace-autocreate", true);
    m.put(plugin + ".tables-autocreate", true);
    m.put(plugin + ".replication-strategy", "NetworkTopologyStrategy");
    m.put(
        plugin + ".data-center-replication-factors",
        List.of(cassandra.datacenter() + ":" + cassandra.replicationFactor()));
  }

  /**
   * Completes when the plugin's session is connected and the journal and snapshot tables exist;
   * fails with an {@link IllegalStateException} naming the missing tables. While no contact point
   * answers it does not complete (the driver keeps reconnecting).
   */
  static CompletionStage<Done> prepare(ActorSystem<?> system, CassandraSettings cassandra) {
    // The read journal's session is the plugin's shared one, created with the plugin's schema
    // statements as its init: asking the registry for it directly could register a session
    // without them.
    CassandraSession session =
        PersistenceQuery.get(system)
            .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier())
            .session();
    return session
        .underlying()
        .thenCompose(cql -> missingTables(session, cassandra))
        .thenCompose(
            missing ->
                missing.isEmpty()
                    ? CompletableFuture.completedFuture(Done.getInstance())
                    : CompletableFuture.failedFuture(
                        new IllegalStateException(
                            "Cassandra tables missing after the journal's schema creation: "
                                + missing
                                + "; see the plugin's warnings in the log (may this user"
                                + " create keyspaces and tables?)")));
  }

  private static CompletionStage<List<String>> missingTables(
      CassandraSession session, CassandraSettings cassandra) {
    CompletionStage<List<String>> journal =
        missingIn(session, cassandra.journalKeyspace(), JOURNAL_TABLES);
    CompletionStage<List<String>> snapshot =
        missingIn(session, cassandra.snapshotKeyspace(), SNAPSHOT_TABLES);
    return journal.thenCombine(snapshot, (a, b) -> Stream.concat(a.stream(), b.stream()).toList());
  }

  private static CompletionStage<List<String>> missingIn(
      CassandraSession session, String keyspace, List<String> tables) {
    return session
        .selectAll("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", keyspace)
        .thenApply(
            rows -> {
              Set<String> present =
                  rows.stream().map(r -> r.getString("table_name")).collect(Collectors.toSet());
              return tables.stream()
                  .filter(t -> !present.contains(t))
                  .map(t -> keyspace + "." + t)
                  .toList();
            });
  }
}
