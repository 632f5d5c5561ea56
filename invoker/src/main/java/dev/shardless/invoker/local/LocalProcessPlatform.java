package dev.shardless.invoker.local;

import dev.shardless.invoker.InvokerSettings;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.port.FunctionReplicas;
import dev.shardless.scheduler.port.ReplicaEvents;
import dev.shardless.scheduler.port.ReplicaPlatform;
import dev.shardless.scheduler.port.SecretResolver;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs function replicas as OS processes on this node (DESIGN.md §2, "function runtime contracts
 * for local processes").
 *
 * <ul>
 *   <li><b>HTTP mode</b> ({@code envVars.mode=http}): {@code envProcess} is started once per
 *       replica with {@code PORT} set; ready when a TCP connect to it succeeds ({@link
 *       HttpReplica}).
 *   <li><b>Classic mode</b>: the replica is an in-JVM HTTP server that forks {@code envProcess} per
 *       request, like the OpenFaaS classic watchdog ({@link ClassicReplica}, {@link ClassicFork}).
 * </ul>
 *
 * <p><b>No orphans.</b> Every process runs as the leader of its own process group and is always
 * signalled with its whole group, so what a function spawns dies with it. Two mechanisms make the
 * groups die with this JVM too, and both are needed:
 *
 * <ol>
 *   <li>A watcher beside each process ({@link ProcessGroups#WRAPPER}) kills the group within about
 *       a second of this JVM's death, whatever the cause, {@code kill -9} included: no shutdown
 *       hook runs then, and nothing else would notice.
 *   <li>The pid registry under {@code <data-dir>/run/replicas/} ({@link PidRegistry}) is the
 *       backstop for what the watcher cannot cover: a watcher that was itself killed (an operator's
 *       {@code pkill sh}, the OOM killer, a host under such pressure that it never ran), or a JVM
 *       that died in the instant between spawning a process and its watcher starting. On
 *       construction the platform kills every registered group whose owning JVM is gone and whose
 *       leader still has the recorded start time (so a reused pid is never hit), then clears those
 *       entries.
 * </ol>
 *
 * <p>Threads: every blocking step (spawning, waiting, file and pipe I/O, readiness probes) runs on
 * the platform's own pool ({@code blocking-threads}) or its control thread (timers and signals);
 * process exits are observed through {@link Process#onExit()}, which parks no thread of ours. No
 * Pekko dispatcher thread blocks. State lost when this JVM stops: everything, by design (replicas
 * are processes of this node; the entities start new ones elsewhere).
 *
 * <p>The platform registers {@link #shutdown()} with {@link CoordinatedShutdown} (phase {@code
 * before-actor-system-terminate}), so stopping the actor system stops the replicas.
 */
public final class LocalProcessPlatform implements ReplicaPlatform {
  private static final Logger log = LoggerFactory.getLogger(LocalProcessPlatform.class);

  private final PlatformServices services;
  private final Set<LocalFunctionReplicas> open = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<Void> shutdownDone = new CompletableFuture<>();
  private boolean shuttingDown;

  /** A platform with settings read from the system's configuration. */
  public LocalProcessPlatform(ActorSystem<?> system) {
    this(system, InvokerSettings.fromConfig(system.settings().config()));
  }

  /**
   * A platform. Construction blocks briefly: it creates the data directories and kills what a
   * previous JVM left running under the same data directory (see the class comment).
   */
  public LocalProcessPlatform(ActorSystem<?> system, InvokerSettings settings) {
    this(system, settings, SecretResolver.none());
  }

  /**
   * A platform that mounts the secrets {@code secrets} resolves into each replica at {@code
   * /var/openfaas/secrets/<name>} (see {@link ReplicaSecrets}). Construction blocks briefly: it
   * creates the data directories, kills what a previous JVM left running under the same data
   * directory, and detects what confinement this machine offers ({@link Sandbox}).
   */
  public LocalProcessPlatform(
      ActorSystem<?> system, InvokerSettings settings, SecretResolver secrets) {
    this.services = new PlatformServices(system, settings, secrets);
    services.registry.reapStale();
    services.secrets.reapStale();
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "shardless-invoker-stop-replicas",
            () -> shutdown().thenApply(v -> Done.done()));
  }

  @Override
  public FunctionReplicas open(FunctionId function, ReplicaEvents events) {
    LocalFunctionReplicas replicas =
        new LocalFunctionReplicas(services, function, events, open::remove);
    if (!services.shuttingDown()) {
      open.add(replicas); // after shutdown, its starts are answered lost
    }
    return replicas;
  }

  /**
   * What confines each running replica of {@code function} on this node (sandbox, memory and CPU
   * limits as applied), for {@code FunctionStatus}; empty when none runs here.
   */
  public Map<ReplicaId, Confinement> confinements(FunctionId function) {
    Map<ReplicaId, Confinement> out = new HashMap<>();
    open.stream()
        .filter(r -> r.function().equals(function))
        .forEach(r -> out.putAll(r.confinements()));
    return out;
  }

  @Override
  public boolean runsEnvProcess() {
    return true;
  }

  @Override
  public CompletionStage<Void> shutdown() {
    synchronized (this) {
      if (shuttingDown) {
        return shutdownDone;
      }
      shuttingDown = true;
      services.beginShutdown();
    }
    log.info("Stopping the local replicas of {} function(s)", open.size());
    CompletableFuture<?>[] all =
        open.stream()
            .map(r -> r.stopAll().toCompletableFuture())
            .toArray(CompletableFuture<?>[]::new);
    CompletableFuture.allOf(all)
        .whenComplete(
            (v, e) -> {
              services.shutdownThreads();
              shutdownDone.complete(null);
            });
    return shutdownDone;
  }
}
