package dev.shardless.cluster.it;

import java.util.Map;

/** {@link AsyncCrashContract} on a real Cassandra. */
class AsyncCrashCassandraIT extends AsyncCrashContract {
  private static final Map<String, String> ENV = CassandraBackend.env();

  @Override
  Map<String, String> backendEnv() {
    return ENV;
  }
}
