package dev.shardless.persistence.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.shardless.persistence.PersistenceSettings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;

/**
 * The Pekko Persistence configuration of a node, chosen by {@code shardless.persistence.backend}.
 *
 * <ul>
 *   <li>{@code h2} (default): pekko-persistence-jdbc's journal, snapshot store and durable state
 *       store on one shared Slick database ({@code "slick"}), an embedded H2 file database at
 *       {@code <dataDir>/journal/shardless} (or {@code shardless.persistence.h2.file}). <b>Embedded
 *       H2 is single-process and does not fsync every commit</b> (DESIGN.md §4): it is the dev and
 *       single-node default, not a production store; a second process on the same file fails to
 *       open it.
 *   <li>{@code cassandra}: pekko-persistence-cassandra's journal and snapshot store on the
 *       Cassandra cluster of {@code shardless.persistence.cassandra}, keyspaces {@code
 *       <prefix>_journal} and {@code <prefix>_snapshot} created when missing; the store for a real
 *       cluster (see {@link CassandraJournalConfig}). {@code dataDir} is not used.
 * </ul>
 *
 * <p>Either way the journal is the default plugin, so the registry's events and the sharding
 * remember-entities store ({@code eventsourced} mode) both live in it. Nothing uses a read journal
 * today; the Cassandra one ({@code pekko.persistence.cassandra.query}) works without more settings.
 *
 * <p>Use: {@code Config config = JournalConfig.forDataDir(dataDir, base).withFallback(base)}, start
 * the {@code ActorSystem} with it, then wait for {@link #prepare} before the first persistent actor
 * starts. From {@code base} it reads only {@code shardless.persistence.*} (this module's {@code
 * reference.conf} fills any gap); it needs no actor provider and sets nothing outside {@code
 * pekko.persistence}, the plugins' sections ({@code jdbc-*} and {@code pekko-persistence-jdbc}, or
 * {@code pekko.persistence.cassandra}) and {@code datastax-java-driver}.
 */
public final class JournalConfig {

  /** The H2 journal plugin id. */
  public static final String JOURNAL_PLUGIN = "jdbc-journal";

  /** The H2 snapshot store plugin id. */
  public static final String SNAPSHOT_PLUGIN = "jdbc-snapshot-store";

  private static final String SHARED_DB = "slick";

  private JournalConfig() {}

  /**
   * The configuration to layer over {@code base} for a node whose data directory is {@code
   * dataDir}.
   *
   * @throws IllegalArgumentException when {@code shardless.persistence} in {@code base} is invalid
   *     (for example an unknown backend), naming the key
   */
  public static Config forDataDir(Path dataDir, Config base) {
    PersistenceSettings settings = PersistenceSettings.fromConfig(base);
    return switch (settings.backend()) {
      case H2 -> {
        Path file = settings.h2FileFor(dataDir).toAbsolutePath().normalize();
        yield ConfigFactory.parseMap(
            h2Settings(file, settings.h2PoolSize()), "shardless h2 journal");
      }
      case CASSANDRA ->
          ConfigFactory.parseMap(
              CassandraJournalConfig.settings(settings.cassandra()), "shardless cassandra journal");
    };
  }

  private static Map<String, Object> h2Settings(Path file, int poolSize) {
    Map<String, Object> m = new HashMap<>();
    m.put("pekko.persistence.journal.plugin", JOURNAL_PLUGIN);
    m.put("pekko.persistence.snapshot-store.plugin", SNAPSHOT_PLUGIN);
    for (String plugin :
        new String[] {
          JOURNAL_PLUGIN, SNAPSHOT_PLUGIN, "jdbc-read-journal", "jdbc-durable-state-store"
        }) {
      m.put(plugin + ".use-shared-db", SHARED_DB);
    }
    String slick = "pekko-persistence-jdbc.shared-databases." + SHARED_DB;
    m.put(slick + ".profile", "slick.jdbc.H2Profile$");
    m.put(slick + ".db.url", h2Url(file));
    m.put(slick + ".db.driver", "org.h2.Driver");
    m.put(slick + ".db.user", "shardless");
    m.put(slick + ".db.password", "");
    m.put(slick + ".db.connectionPool", "HikariCP");
    // Slick warns (possible deadlock) when connections exceed threads: keep them equal.
    m.put(slick + ".db.numThreads", poolSize);
    m.put(slick + ".db.maxConnections", poolSize);
    m.put(slick + ".db.minConnections", 1);
    m.put(slick + ".db.queueSize", 1000);
    m.put(slick + ".db.connectionTimeout", 30000);
    return m;
  }

  /**
   * The JDBC URL of the H2 file database. {@code DATABASE_TO_UPPER=false} because the schema quotes
   * lower-case names; {@code DB_CLOSE_ON_EXIT=FALSE} because Pekko closes the pool when the actor
   * system terminates (H2 then closes the file with the last connection), while H2's own shutdown
   * hook would close it under a still-running coordinated shutdown. {@code WRITE_DELAY=0} because
   * H2 otherwise writes committed transactions to the file from a background thread about once a
   * second: a {@code kill -9} in that second lost a deploy the API had already acknowledged. With
   * it, every commit is in the file (the OS page cache) before the write completes, which survives
   * a killed process; H2 still does not fsync, so an OS crash can lose the last commits.
   */
  static String h2Url(Path file) {
    return "jdbc:h2:file:" + file + ";DATABASE_TO_UPPER=false;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
  }

  /**
   * Makes the store ready; complete it before any persistent actor of this node starts. Idempotent.
   *
   * <ul>
   *   <li>{@code h2}: creates the journal, snapshot and durable-state tables when missing
   *       (pekko-persistence-jdbc does not).
   *   <li>{@code cassandra}: completes once the plugin's session is connected and its keyspaces and
   *       tables exist (created on connect when missing). While Cassandra is unreachable it waits:
   *       the driver keeps reconnecting.
   * </ul>
   *
   * @throws IllegalArgumentException when {@code shardless.persistence} is invalid
   */
  public static CompletionStage<Done> prepare(ActorSystem<?> system) {
    PersistenceSettings settings = PersistenceSettings.fromConfig(system.settings().config());
    return switch (settings.backend()) {
      case H2 -> SchemaUtils.createIfNotExists(system);
      case CASSANDRA -> CassandraJournalConfig.prepare(system, settings.cassandra());
    };
  }
}
