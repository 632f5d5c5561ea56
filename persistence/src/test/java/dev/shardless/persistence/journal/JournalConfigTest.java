package dev.shardless.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.shardless.persistence.PersistenceSettings;
import java.nio.file.Path;
import java.time.Duration;
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
  void cassandraIsNotImplementedYet() {
    Config base = ConfigFactory.parseString("shardless.persistence.backend = cassandra");

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PersistenceSettings.fromConfig(base));

    assertTrue(e.getMessage().contains("not implemented"), e.getMessage());
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
