package dev.shardless.cluster.it;

import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link AsyncContract} on a real Cassandra (the production backend). */
class AsyncCassandraIT extends AsyncContract {
  @RegisterExtension static final RunningNode NODE = new RunningNode(env(CassandraBackend.env()));

  @Override
  RunningNode node() {
    return NODE;
  }
}
