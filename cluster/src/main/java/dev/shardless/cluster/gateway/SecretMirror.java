package dev.shardless.cluster.gateway;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where a function secret must also exist for replicas to read it, besides the node's encrypted
 * store: nowhere on the local platform (the invoker reads the store), a Kubernetes Secret of the
 * same name on Kubernetes (mounted into the pods at {@code /var/openfaas/secrets/<name>}).
 */
public interface SecretMirror {
  /** Writes (creates or replaces) the secret's value. */
  CompletionStage<Void> put(String namespace, String name, byte[] value);

  /** Removes the secret; completes normally when it was not there. */
  CompletionStage<Void> remove(String namespace, String name);

  /** The local platform's: the store is all there is. */
  SecretMirror NONE =
      new SecretMirror() {
        @Override
        public CompletionStage<Void> put(String namespace, String name, byte[] value) {
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> remove(String namespace, String name) {
          return CompletableFuture.completedFuture(null);
        }
      };
}
