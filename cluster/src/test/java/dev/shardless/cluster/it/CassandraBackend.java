package dev.shardless.cluster.it;

import dev.shardless.persistence.testing.CassandraServer;
import java.util.Map;

/** The environment of a node on the Cassandra backend, in keyspaces of its own. */
final class CassandraBackend {
  private CassandraBackend() {}

  /** Starts (once per JVM) the project's real Cassandra and names fresh keyspaces on it. */
  static Map<String, String> env() {
    CassandraServer cassandra = CassandraServer.shared();
    return Map.of(
        "SHARDLESS_PERSISTENCE", "cassandra",
        "SHARDLESS_CASSANDRA_CONTACT_POINTS", cassandra.contactPoint(),
        "SHARDLESS_CASSANDRA_KEYSPACE_PREFIX", CassandraServer.uniqueKeyspacePrefix());
  }
}
