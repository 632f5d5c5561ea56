package dev.shardless.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.shardless.persistence.PersistenceSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JournalConfigTest {
  static final Path DATA = Path.of("/var/lib/shardless");

  @Test
  void defaultsToTheH2FileUnderTheDataDirOnOneSharedSlickDatabase() {
    Config journal = JournalConfig.forDataDir(DATA, ConfigFactory.empty());

    assertEquals("jdbc-journal", journal.getString("pekko.persistence.journal.plugin"));
    assertEquals(
        "jdbc-snapshot-store", journal.getString("pekko.persistence.snapshot-store.plugin"));
    for (String plugin :
        new String[] {
          "jdbc-journal", "jdbc-snapshot-store", "jdbc-read-journal", "jdbc-durable-state-store"
        }) {
      assertEquals("slick", journal.getString(plugin + ".use-shared-db"), plugin);
    }
    Config slick = journal.getConfig("pekko-persistence-jdbc.shared-databases.slick");
    assertEquals("slick.jdbc.H2Profile$", slick.getString("profile"));
    assertEquals(
        "jdbc:h2:file:/var/lib/shardless/journal/shardless;DATABASE_TO_UPPER=false;"
            + "DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0",
        slick.getString("db.url"));
    assertEquals(4, slick.getInt("db.maxConnections"));
    assertEquals(slick.getInt("db.maxConnections"), slick.getInt("db.numThreads"));
  }

  @Test
  void theConfiguredH2FileAndPoolSizeWin() {
    Config base =
        ConfigFactory.parseString(
            "shardless.persistence.h2 { file = \"/data/other/db\", pool-size = 2 }");

    Config slick =
        JournalConfig.forDataDir(DATA, base)
            .getConfig("pekko-persistence-jdbc.shared-databases.slick.db");

    assertTrue(slick.getString("url").startsWith("jdbc:h2:file:/data/other/db;"));
    assertEquals(2, slick.getInt("numThreads"));
  }

  @Test
  void settingsComeFromReferenceConf() {
    PersistenceSettings settings = PersistenceSettings.fromConfig(ConfigFactory.empty());

    assertEquals(PersistenceSettings.Backend.H2, settings.backend());
    assertEquals(Optional.empty(), settings.h2File());
    assertEquals(Duration.ofSeconds(5), settings.askTimeout());
    assertEquals(DATA.resolve("journal/shardless"), settings.h2FileFor(DATA));
  }

  @Test
  void anUnknownBackendIsRejectedNamingTheKey() {
    Config base = ConfigFactory.parseString("shardless.persistence.backend = postgres");

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> JournalConfig.forDataDir(DATA, base));

    assertTrue(e.getMessage().contains("shardless.persistence.backend"), e.getMessage());
    assertTrue(e.getMessage().contains("postgres"), e.getMessage());
  }

  @Test
  void cassandraBackendConfiguresThePluginWithAutoCreatedKeyspacesAndTheDriver() {
    Config base =
        ConfigFactory.parseString(
            String.join(
                "\n",
                "shardless.persistence.backend = cassandra",
                "shardless.persistence.cassandra {",
                "  contact-points = \"10.0.0.1:9042, cass-2:9142\"",
                "  datacenter = eu-west",
                "  keyspace-prefix = prod",
                "  replication-factor = 3",
                "}"));

    Config journal = JournalConfig.forDataDir(DATA, base);

    assertEquals(
        "pekko.persistence.cassandra.journal",
        journal.getString("pekko.persistence.journal.plugin"));
    assertEquals(
        "pekko.persistence.cassandra.snapshot",
        journal.getString("pekko.persistence.snapshot-store.plugin"));
    Config plugin = journal.getConfig("pekko.persistence.cassandra");
    assertEquals("prod_journal", plugin.getString("journal.keyspace"));
    assertEquals("prod_snapshot", plugin.getString("snapshot.keyspace"));
    for (String store : new String[] {"journal", "snapshot"}) {
      assertTrue(plugin.getBoolean(store + ".keyspace-autocreate"), store);
      assertTrue(plugin.getBoolean(store + ".tables-autocreate"), store);
      assertEquals(
          "NetworkTopologyStrategy", plugin.getString(store + ".replication-strategy"), store);
      assertEquals(
          List.of("eu-west:3"),
          plugin.getStringList(store + ".data-center-replication-factors"),
          store);
    }
    assertFalse(plugin.getBoolean("events-by-tag.enabled"));
    Config driver = journal.getConfig("datastax-java-driver");
    assertEquals(
        List.of("10.0.0.1:9042", "cass-2:9142"), driver.getStringList("basic.contact-points"));
    assertEquals("eu-west", driver.getString("basic.load-balancing-policy.local-datacenter"));
    assertEquals(Duration.ofSeconds(10), driver.getDuration("basic.request.timeout"));
    assertTrue(driver.getBoolean("advanced.reconnect-on-init"));
    assertFalse(journal.hasPath("pekko-persistence-jdbc"), "no H2 settings");
  }

  @Test
  void cassandraDefaultsReachTheDevelopmentServer() {
    Config journal =
        JournalConfig.forDataDir(
            DATA, ConfigFactory.parseString("shardless.persistence.backend = CASSANDRA"));

    assertEquals(
        List.of("127.0.0.1:9042"),
        journal.getStringList("datastax-java-driver.basic.contact-points"));
    assertEquals(
        "datacenter1",
        journal.getString("datastax-java-driver.basic.load-balancing-policy.local-datacenter"));
    assertEquals(
        "shardless_journal", journal.getString("pekko.persistence.cassandra.journal.keyspace"));
    assertEquals(
        List.of("datacenter1:1"),
        journal.getStringList(
            "pekko.persistence.cassandra.snapshot.data-center-replication-factors"));
  }

  @Test
  void theCassandraConfigurationIsValidForThePlugin() {
    // The plugin reads its settings with its own reference.conf underneath.
    Config base = ConfigFactory.parseString("shardless.persistence.backend = cassandra");
    Config config = JournalConfig.forDataDir(DATA, base).withFallback(ConfigFactory.load());

    Config journal = config.getConfig(config.getString("pekko.persistence.journal.plugin"));
    assertEquals(
        "org.apache.pekko.persistence.cassandra.journal.CassandraJournal",
        journal.getString("class"));
    Config snapshot = config.getConfig(config.getString("pekko.persistence.snapshot-store.plugin"));
    assertEquals(
        "org.apache.pekko.persistence.cassandra.snapshot.CassandraSnapshotStore",
        snapshot.getString("class"));
  }

  @Test
  void invalidNumbersAreRejectedNamingTheKey() {
    Config pool = ConfigFactory.parseString("shardless.persistence.h2.pool-size = 0");
    Config timeout = ConfigFactory.parseString("shardless.persistence.ask-timeout = 0s");

    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> PersistenceSettings.fromConfig(pool))
            .getMessage()
            .contains("shardless.persistence.h2.pool-size"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> PersistenceSettings.fromConfig(timeout))
            .getMessage()
            .contains("shardless.persistence.ask-timeout"));
  }
}
