package dev.shardless.cluster.kubernetes;

import dev.shardless.cluster.gateway.SecretMirror;
import dev.shardless.k8s.Conventions;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Function secrets as Kubernetes Secrets, as faas-netes keeps them: a Secret named like the secret
 * in the function's namespace, holding one key of the same name, so the pods of a function that
 * lists it read {@code /var/openfaas/secrets/<name>}.
 */
final class KubernetesSecretMirror implements SecretMirror {
  private final KubernetesClient client;
  private final Executor blocking;

  KubernetesSecretMirror(KubernetesClient client, Executor blocking) {
    this.client = client;
    this.blocking = blocking;
  }

  /** The Secret holding {@code value} for {@code name}. */
  static Secret secret(String namespace, String name, byte[] value) {
    return new SecretBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .withLabels(Map.of(Conventions.MANAGED_BY_LABEL, Conventions.MANAGED_BY))
        .endMetadata()
        .withType("Opaque")
        .withData(Map.of(name, Base64.getEncoder().encodeToString(value)))
        .build();
  }

  @Override
  public CompletionStage<Void> put(String namespace, String name, byte[] value) {
    return CompletableFuture.runAsync(
        () ->
            client
                .secrets()
                .inNamespace(namespace)
                .resource(secret(namespace, name, value))
                .createOr(NonDeletingOperation::update),
        blocking);
  }

  @Override
  public CompletionStage<Void> remove(String namespace, String name) {
    return CompletableFuture.runAsync(
        () -> client.secrets().inNamespace(namespace).withName(name).delete(), blocking);
  }
}
