package dev.shardless.k8s.platform;

import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.port.ReplicaEndpoint;
import dev.shardless.scheduler.port.ReplicaEvents;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real {@link ReplicaEvents} that records what the platform reported, in order, as lines such as
 * {@code ready hello-1 10.1.0.1:8080}, {@code lost hello-1 pod a deleted}, {@code stopped hello-1}.
 */
final class RecordingReplicaEvents implements ReplicaEvents {
  private final List<String> lines = new CopyOnWriteArrayList<>();

  @Override
  public void ready(ReplicaId id, ReplicaEndpoint endpoint) {
    lines.add("ready " + id + " " + endpoint.host() + ":" + endpoint.port());
  }

  @Override
  public void lost(ReplicaId id, String reason) {
    lines.add("lost " + id + " " + reason);
  }

  @Override
  public void stopped(ReplicaId id) {
    lines.add("stopped " + id);
  }

  /** What was reported so far. */
  List<String> lines() {
    return List.copyOf(lines);
  }
}
