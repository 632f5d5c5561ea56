package dev.shardless.cluster.it;

import java.util.Map;

/** {@link AsyncCrashContract} on the embedded H2 journal. */
class AsyncCrashIT extends AsyncCrashContract {
  @Override
  Map<String, String> backendEnv() {
    return Map.of();
  }
}
