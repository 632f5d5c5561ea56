package dev.shardless.invoker.local;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.port.SecretResolver;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The confinement of one replica: its secrets written to a private directory (deleted by {@link
 * #close()}) and the confined command line for each process it starts. Opening blocks (secret
 * resolution, file writes): call it on the invoker's blocking pool.
 */
final class ReplicaJail {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ReplicaJail.class);
  private static final long RESOLVE_SECONDS = 30;

  private final PlatformServices services;
  private final FunctionSpec spec;
  private final Optional<Path> secretsDir;

  private ReplicaJail(PlatformServices services, FunctionSpec spec, Optional<Path> secretsDir) {
    this.services = services;
    this.spec = spec;
    this.secretsDir = secretsDir;
  }

  /**
   * Resolves and writes the function's secrets. Fails with a reason fit for the caller ("secret db
   * does not exist in namespace openfaas-fn") when one cannot be resolved or written.
   */
  static ReplicaJail open(
      PlatformServices services, FunctionId function, ReplicaId id, FunctionSpec spec)
      throws IOException {
    Map<String, byte[]> values = resolve(services.resolver, function.namespace(), spec.secrets());
    Optional<Path> dir = services.secrets.write(function, id, values);
    if (dir.isPresent() && !services.sandbox.bubblewrap()) {
      log.warn(
          "Replica {} of {}: its secrets are not mounted at {} (no sandbox; {})",
          id,
          function,
          SandboxArgs.SECRETS_MOUNT,
          Sandbox.INSTALL_HINT);
    }
    return new ReplicaJail(services, spec, dir);
  }

  private static Map<String, byte[]> resolve(
      SecretResolver resolver, String namespace, List<String> names) throws IOException {
    if (names.isEmpty()) {
      return Map.of();
    }
    try {
      return resolver
          .resolve(namespace, names)
          .toCompletableFuture()
          .get(RESOLVE_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IOException("cannot resolve secrets: " + cause.getMessage(), cause);
    } catch (TimeoutException e) {
      throw new IOException("cannot resolve secrets: no answer in " + RESOLVE_SECONDS + "s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("cannot resolve secrets: interrupted", e);
    }
  }

  /** The confined form of {@code command}, run with {@code env}. */
  SandboxArgs.Plan plan(List<String> command, Map<String, String> env) {
    return services.sandbox.plan(command, env, spec, secretsDir);
  }

  /** Deletes the secrets; never throws. */
  void close() {
    ReplicaSecrets.remove(secretsDir);
  }
}
