package dev.shardless.persistence.registry;

import static dev.shardless.persistence.SingleNode.GUARD;
import static dev.shardless.persistence.SingleNode.result;
import static dev.shardless.persistence.SingleNode.terminate;
import static dev.shardless.persistence.registry.Specs.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.shardless.persistence.PersistenceSettings.Backend;
import dev.shardless.persistence.SingleNode;
import dev.shardless.persistence.journal.JournalConfig;
import dev.shardless.persistence.registry.FunctionRegistry.Applied;
import dev.shardless.persistence.registry.RecordingListener.Configured;
import dev.shardless.persistence.testing.CassandraServer;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The registry on each real journal across a node restart: the embedded H2 file, and a real
 * Cassandra ({@link CassandraServer#shared()}) with keyspaces no other test uses, so the first
 * start also creates them and the first deploy is the first write to fresh tables.
 */
class RegistryPersistenceIT {
  static final String NS = "openfaas-fn";
  static final String NAME = "registry-it";

  @TempDir Path dataDir;
  ActorSystem<Void> system;

  @AfterEach
  void stop() throws Exception {
    if (system != null) {
      terminate(system);
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void functionsSurviveANodeRestartAndWakeTheirEntities(Backend backend) throws Exception {
    Config store = storeConfig(backend);
    system = SingleNode.start(dataDir, NAME, store);
    TestProbe<Object> listened1 = TestProbe.create(system);
    RegistryCatalog catalog = startRegistry(system, listened1);

    assertInstanceOf(Applied.class, result(catalog.deploy(spec(NS, "alpha", "img:a"))));
    assertInstanceOf(Applied.class, result(catalog.deploy(spec(NS, "beta", "img:b1"))));
    assertInstanceOf(Applied.class, result(catalog.update(spec(NS, "beta", "img:b2"))));
    assertInstanceOf(Applied.class, result(catalog.deploy(spec(NS, "gone", "img:g"))));
    assertInstanceOf(Applied.class, result(catalog.delete(new FunctionId(NS, "gone"))));
    terminate(system);
    assertStoredIn(backend, store);

    system = SingleNode.start(dataDir, NAME, store);
    TestProbe<Object> listened2 = TestProbe.create(system);
    catalog = startRegistry(system, listened2);

    // Remembered entity: the registry starts and tells the listener without being asked.
    List<Object> woken = listened2.receiveSeveralMessages(2, GUARD);
    assertEquals(
        Map.of("alpha", 1L, "beta", 2L),
        woken.stream()
            .map(m -> ((Configured) m).record())
            .collect(Collectors.toMap(Specs::name, FunctionRecord::version)));
    assertEquals(
        Map.of("alpha", 1L, "beta", 2L),
        result(catalog.list(NS)).stream()
            .collect(Collectors.toMap(Specs::name, FunctionRecord::version)));
    Optional<FunctionRecord> beta = result(catalog.lookup(new FunctionId(NS, "beta")));
    assertEquals("img:b2", beta.orElseThrow().spec().image());
    assertEquals(Optional.empty(), result(catalog.lookup(new FunctionId(NS, "gone"))));
    Applied redeployed = (Applied) result(catalog.deploy(spec(NS, "gone", "img:g2")));
    assertEquals(3, redeployed.record().version());
  }

  @Test
  void aNodeStartedBeforeCassandraWaitsForItAndThenPersists() throws Exception {
    int port = CassandraServer.freePortPair();
    Config store =
        CassandraServer.persistenceConfig(
            "127.0.0.1:" + port, CassandraServer.uniqueKeyspacePrefix());
    system = SingleNode.create(dataDir, NAME, store);
    // Nothing listens yet: the driver keeps reconnecting (advanced.reconnect-on-init) instead of
    // failing the plugin's session for good.
    CompletionStage<Done> prepared = JournalConfig.prepare(system);

    try (CassandraServer late = CassandraServer.start(port)) {
      assertEquals(port, late.port());
      result(prepared);
      SingleNode.joinItself(system);
      RegistryCatalog catalog = startRegistry(system, TestProbe.create(system));
      Applied deployed = (Applied) result(catalog.deploy(spec(NS, "late", "img:l")));
      assertEquals(1, deployed.record().version());
      terminate(system);
      system = null;
    }
  }

  private Config storeConfig(Backend backend) {
    return switch (backend) {
      case H2 -> ConfigFactory.parseString("shardless.persistence.backend = h2");
      case CASSANDRA ->
          CassandraServer.shared().persistenceConfig(CassandraServer.uniqueKeyspacePrefix());
    };
  }

  /** The events are where the backend keeps them, and nowhere else. */
  private void assertStoredIn(Backend backend, Config store) {
    Path h2 = dataDir.resolve("journal").resolve("shardless.mv.db");
    switch (backend) {
      case H2 -> assertTrue(Files.exists(h2));
      case CASSANDRA -> {
        assertFalse(Files.exists(h2));
        String keyspace =
            store.getString("shardless.persistence.cassandra.keyspace-prefix") + "_journal";
        try (CqlSession cql = CassandraServer.shared().connect()) {
          List<String> ids =
              cql
                  .execute("SELECT persistence_id FROM " + keyspace + ".all_persistence_ids")
                  .all()
                  .stream()
                  .map(row -> row.getString(0))
                  .toList();
          assertTrue(ids.contains("registry|" + NS), ids.toString());
        }
      }
    }
  }

  private static RegistryCatalog startRegistry(ActorSystem<Void> node, TestProbe<Object> probe) {
    FunctionRegistry.init(node, new RecordingListener(probe.ref()), Clock.systemUTC());
    return RegistryCatalog.create(node);
  }
}
