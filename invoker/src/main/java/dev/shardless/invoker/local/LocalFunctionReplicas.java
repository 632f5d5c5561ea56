package dev.shardless.invoker.local;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.InvocationMode;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.port.FunctionReplicas;
import dev.shardless.scheduler.port.ReplicaEvents;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicas of one function on this node, for one entity incarnation. A replica leaves the map
 * once it has ended (after its one terminal event), so a later {@link #stop} of its id is "unknown"
 * and answered stopped at once, as the port asks.
 */
final class LocalFunctionReplicas implements FunctionReplicas {
  private static final Logger log = LoggerFactory.getLogger(LocalFunctionReplicas.class);

  private final PlatformServices services;
  private final FunctionId function;
  private final ReplicaEvents events;
  private final ConcurrentMap<ReplicaId, Replica> replicas = new ConcurrentHashMap<>();
  private final Consumer<LocalFunctionReplicas> onClosed;
  private volatile boolean closed;

  LocalFunctionReplicas(
      PlatformServices services,
      FunctionId function,
      ReplicaEvents events,
      Consumer<LocalFunctionReplicas> onClosed) {
    this.services = services;
    this.function = function;
    this.events = events;
    this.onClosed = onClosed;
  }

  @Override
  public void start(ReplicaId id, FunctionSpec spec) {
    if (services.shuttingDown()) {
      events.lost(id, "the node is shutting down");
      return;
    }
    if (closed) {
      log.warn("Ignoring start of replica {} of {}: its replica set is closed", id, function);
      return;
    }
    Replica replica =
        spec.mode() == InvocationMode.HTTP
            ? new HttpReplica(services, function, id, spec, events)
            : new ClassicReplica(services, function, id, spec, events);
    if (replicas.putIfAbsent(id, replica) != null) {
      log.warn("Ignoring start of replica {} of {}: it is already running", id, function);
      return;
    }
    replica.terminated().thenRun(() -> replicas.remove(id, replica));
    replica.start();
    if (closed) {
      replica.stop(services.settings.stopGrace(), false); // close() raced with this start
    }
  }

  FunctionId function() {
    return function;
  }

  /** What confines each running replica, by replica. */
  Map<ReplicaId, Confinement> confinements() {
    Map<ReplicaId, Confinement> out = new HashMap<>();
    replicas.forEach((id, r) -> out.put(id, r.confinement()));
    return out;
  }

  @Override
  public void stop(ReplicaId id, Duration grace) {
    Replica replica = replicas.get(id);
    if (replica == null) {
      events.stopped(id);
    } else {
      replica.stop(grace, true);
    }
  }

  @Override
  public void close() {
    stopAll().whenComplete((v, e) -> onClosed.accept(this));
  }

  /** Stops every replica silently; completes when none runs. */
  CompletionStage<Void> stopAll() {
    closed = true;
    CompletableFuture<?>[] ends =
        replicas.values().stream()
            .peek(r -> r.stop(services.settings.stopGrace(), false))
            .map(r -> r.terminated().toCompletableFuture())
            .toArray(CompletableFuture<?>[]::new);
    return CompletableFuture.allOf(ends);
  }
}
