package dev.shardless.cluster.it;

import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link AsyncContract} on the embedded H2 journal (the single-node default). */
class AsyncIT extends AsyncContract {
  @RegisterExtension static final RunningNode NODE = new RunningNode(env(Map.of()));

  @Override
  RunningNode node() {
    return NODE;
  }
}
