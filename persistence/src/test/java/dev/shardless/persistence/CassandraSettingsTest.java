package dev.shardless.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.shardless.persistence.CassandraSettings.ContactPoint;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CassandraSettingsTest {

  @Test
  void defaultsPointAtTheDevelopmentServer() {
    CassandraSettings c = PersistenceSettings.fromConfig(ConfigFactory.empty()).cassandra();

    assertEquals(List.of(new ContactPoint("127.0.0.1", 9042)), c.contactPoints());
    assertEquals("datacenter1", c.datacenter());
    assertEquals("shardless_journal", c.journalKeyspace());
    assertEquals("shardless_snapshot", c.snapshotKeyspace());
    assertEquals(1, c.replicationFactor());
    assertEquals(Duration.ofSeconds(10), c.requestTimeout());
  }

  @Test
  void theBackendIsChosenCaseInsensitively() {
    Config base = ConfigFactory.parseString("shardless.persistence.backend = \" Cassandra \"");

    assertEquals(
        PersistenceSettings.Backend.CASSANDRA, PersistenceSettings.fromConfig(base).backend());
  }

  @Test
  void contactPointsAreACommaSeparatedHostPortList() {
    assertEquals(
        List.of(
            new ContactPoint("10.0.0.1", 9042),
            new ContactPoint("cass-2.example.org", 19042),
            new ContactPoint("::1", 9042)),
        CassandraSettings.parseContactPoints(
            " 10.0.0.1:9042 ,cass-2.example.org:19042,[::1]:9042,"));
  }

  @Test
  void anIpv6ContactPointIsWrittenInBracketsForTheDriver() {
    assertEquals("[::1]:9042", new ContactPoint("::1", 9042).toString());
    assertEquals("db:9042", new ContactPoint("db", 9042).toString());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1",
        "127.0.0.1:",
        ":9042",
        "127.0.0.1:0",
        "127.0.0.1:65536",
        "127.0.0.1:cql",
        "db:9042,db2",
        "::1:9042",
        "[::1]",
        "",
        " , "
      })
  void aBadContactPointIsRejectedNamingTheKey(String contactPoints) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> settingsWith("contact-points", contactPoints));

    assertTrue(
        e.getMessage().startsWith("shardless.persistence.cassandra.contact-points"),
        e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "datacenter        | dc:1",
        "datacenter        | ''",
        "keyspace-prefix   | Shardless",
        "keyspace-prefix   | 1shardless",
        "keyspace-prefix   | shard-less",
        "keyspace-prefix   | a234567890123456789012345678901234567890",
        "replication-factor | 0",
        "request-timeout   | 0s"
      })
  void otherBadValuesAreRejectedNamingTheKey(String key, String value) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> settingsWith(key, value));

    assertTrue(e.getMessage().startsWith("shardless.persistence.cassandra." + key), e.getMessage());
  }

  @Test
  void aLongestValidKeyspacePrefixGivesKeyspaceNamesCassandraAccepts() {
    CassandraSettings c = settingsWith("keyspace-prefix", "a" + "b".repeat(38));

    assertEquals(48, c.snapshotKeyspace().length());
  }

  private static CassandraSettings settingsWith(String key, String value) {
    Config config =
        ConfigFactory.empty()
            .withValue(
                "shardless.persistence.cassandra." + key, ConfigValueFactory.fromAnyRef(value));
    return PersistenceSettings.fromConfig(config).cassandra();
  }
}
