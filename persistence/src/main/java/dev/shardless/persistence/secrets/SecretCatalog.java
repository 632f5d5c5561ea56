package dev.shardless.persistence.secrets;

import dev.shardless.persistence.PersistenceSettings;
import dev.shardless.scheduler.port.SecretResolver;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The secret calls of the gateway and the platform, over the sharded {@link SecretStore} of each
 * namespace. Values are sealed here, on the calling node, before they are sent, and opened here
 * after they come back: the store, its journal and the cluster messages only see {@link Sealed}
 * bytes. As a {@link SecretResolver} it gives the platform the plaintext values of a function's
 * secrets.
 *
 * <p>Every call is one ask; continuations run on the actor system's dispatcher (DESIGN.md §6). A
 * stage fails with a {@code TimeoutException} after {@code shardless.persistence.ask-timeout}.
 * Requires {@link SecretStore#init} on this node.
 */
public final class SecretCatalog implements SecretResolver {
  private final ClusterSharding sharding;
  private final SecretCipher cipher;
  private final Duration timeout;
  private final Executor executor;

  public SecretCatalog(ActorSystem<?> system, SecretCipher cipher, Duration timeout) {
    this.sharding = ClusterSharding.get(system);
    this.cipher = cipher;
    this.timeout = timeout;
    this.executor = system.executionContext();
  }

  /** With the timeout from {@code shardless.persistence.ask-timeout}. */
  public static SecretCatalog create(ActorSystem<?> system, SecretCipher cipher) {
    return new SecretCatalog(
        system, cipher, PersistenceSettings.fromConfig(system.settings().config()).askTimeout());
  }

  /** The names of the secrets of {@code namespace}, ordered; never their values. */
  public CompletionStage<List<String>> list(String namespace) {
    return store(namespace)
        .ask(SecretStore.ListNames::new, timeout)
        .thenApplyAsync(SecretStore.Names::names, executor);
  }

  /** Creates a secret: Applied, or Conflict when it exists. */
  public CompletionStage<SecretStore.Reply> create(String namespace, String name, byte[] value) {
    Sealed sealed = cipher.seal(namespace, name, value);
    return store(namespace).ask(r -> new SecretStore.Create(name, sealed, r), timeout);
  }

  /** Replaces a secret's value: Applied, or NotFound. */
  public CompletionStage<SecretStore.Reply> update(String namespace, String name, byte[] value) {
    Sealed sealed = cipher.seal(namespace, name, value);
    return store(namespace).ask(r -> new SecretStore.Update(name, sealed, r), timeout);
  }

  /** Deletes a secret: Applied, or NotFound. */
  public CompletionStage<SecretStore.Reply> delete(String namespace, String name) {
    return store(namespace).ask(r -> new SecretStore.Delete(name, r), timeout);
  }

  /** The names among {@code names} that do not exist in {@code namespace}, in the order given. */
  public CompletionStage<List<String>> missing(String namespace, List<String> names) {
    if (names.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    return list(namespace)
        .thenApplyAsync(
            present -> names.stream().filter(n -> !present.contains(n)).distinct().toList(),
            executor);
  }

  /**
   * The plaintext values of {@code names} in {@code namespace}, in the order given. Fails with
   * {@link SecretResolver.UnknownSecret} naming the first that does not exist, or with {@link
   * SecretCipher.Undecryptable} when a value does not open with this node's key (both wrapped in a
   * {@code CompletionException}, as any failure inside a stage), or with a {@code TimeoutException}
   * when the store does not answer.
   */
  @Override
  public CompletionStage<Map<String, byte[]>> resolve(String namespace, List<String> names) {
    if (names.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    return store(namespace)
        .ask(
            (ActorRef<SecretStore.Values> r) -> new SecretStore.Fetch(List.copyOf(names), r),
            timeout)
        .thenApplyAsync(found -> open(namespace, names, found.values()), executor);
  }

  private Map<String, byte[]> open(
      String namespace, List<String> names, Map<String, Sealed> found) {
    Map<String, byte[]> values = new LinkedHashMap<>();
    for (String name : names) {
      Sealed sealed = found.get(name);
      if (sealed == null) {
        throw new SecretResolver.UnknownSecret(namespace, name);
      }
      values.put(name, cipher.open(namespace, name, sealed));
    }
    return values;
  }

  private EntityRef<SecretStore.Command> store(String namespace) {
    return sharding.entityRefFor(SecretStore.TYPE_KEY, namespace);
  }
}
