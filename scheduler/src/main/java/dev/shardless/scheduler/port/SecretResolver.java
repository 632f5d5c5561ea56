package dev.shardless.scheduler.port;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Port: the values of a function's secrets, for the platform that starts its replicas (mounted at
 * {@code /var/openfaas/secrets/<name>}). The durable secret store implements it; values never leave
 * the node that starts the replica.
 */
public interface SecretResolver {
  /**
   * The values of {@code names} in {@code namespace}, by name. Fails with {@link UnknownSecret}
   * when one of them does not exist.
   */
  CompletionStage<Map<String, byte[]>> resolve(String namespace, List<String> names);

  /** A secret a function lists does not exist in its namespace. */
  final class UnknownSecret extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnknownSecret(String namespace, String name) {
      super("secret " + name + " does not exist in namespace " + namespace);
    }
  }

  /** A resolver that knows no secret: resolving any name fails (tests, functions without any). */
  static SecretResolver none() {
    return (namespace, names) ->
        names.isEmpty()
            ? CompletableFuture.completedFuture(Map.of())
            : CompletableFuture.failedFuture(new UnknownSecret(namespace, names.get(0)));
  }
}
