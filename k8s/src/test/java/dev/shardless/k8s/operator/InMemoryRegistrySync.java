package dev.shardless.k8s.operator;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry held in a map: what the operator put is there until it removes it. Can be told to fail
 * its next puts, as a registry whose cluster is unreachable would.
 */
final class InMemoryRegistrySync implements RegistrySync {
  private final Map<FunctionId, FunctionSpec> functions = new ConcurrentHashMap<>();
  private final List<FunctionId> removals = new CopyOnWriteArrayList<>();
  private final AtomicInteger failingPuts = new AtomicInteger();
  private final AtomicInteger putAttempts = new AtomicInteger();

  @Override
  public CompletionStage<List<FunctionId>> list(String namespace) {
    return CompletableFuture.completedFuture(
        functions.keySet().stream().filter(id -> id.namespace().equals(namespace)).toList());
  }

  @Override
  public CompletionStage<Void> put(FunctionSpec spec) {
    putAttempts.incrementAndGet();
    if (failingPuts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return CompletableFuture.failedFuture(new IllegalStateException("registry unreachable"));
    }
    functions.put(spec.id(), spec);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> remove(FunctionId function) {
    removals.add(function);
    functions.remove(function);
    return CompletableFuture.completedFuture(null);
  }

  /** Makes the next {@code n} puts fail. */
  void failNextPuts(int n) {
    failingPuts.set(n);
  }

  Optional<FunctionSpec> get(FunctionId id) {
    return Optional.ofNullable(functions.get(id));
  }

  boolean contains(FunctionId id) {
    return functions.containsKey(id);
  }

  List<FunctionId> removals() {
    return List.copyOf(removals);
  }

  int putAttempts() {
    return putAttempts.get();
  }
}
