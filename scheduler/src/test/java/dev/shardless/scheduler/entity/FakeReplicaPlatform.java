package dev.shardless.scheduler.entity;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.port.FunctionReplicas;
import dev.shardless.scheduler.port.ReplicaEvents;
import dev.shardless.scheduler.port.ReplicaPlatform;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

/** A platform that runs nothing: each open gives a {@link RecordingReplicas}. */
final class FakeReplicaPlatform implements ReplicaPlatform {
  private final AtomicReference<RecordingReplicas> last = new AtomicReference<>();

  @Override
  public FunctionReplicas open(FunctionId function, ReplicaEvents events) {
    RecordingReplicas r = new RecordingReplicas(events);
    last.set(r);
    return r;
  }

  @Override
  public boolean runsEnvProcess() {
    return true;
  }

  @Override
  public CompletionStage<Void> shutdown() {
    return CompletableFuture.completedFuture(null);
  }

  /** The replica set of the latest open, or null before the entity knew its definition. */
  RecordingReplicas replicas() {
    return last.get();
  }
}
