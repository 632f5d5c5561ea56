package dev.shardless.persistence.registry;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import org.apache.pekko.actor.typed.ActorRef;

/** A {@link RegistryListener} that forwards every call to a probe. */
final class RecordingListener implements RegistryListener {
  /** A {@link #configured} call. */
  record Configured(FunctionRecord record) {}

  /** A {@link #removed} call. */
  record Removed(FunctionId id, long version) {}

  private final ActorRef<Object> probe;

  RecordingListener(ActorRef<Object> probe) {
    this.probe = probe;
  }

  @Override
  public void configured(FunctionRecord record) {
    probe.tell(new Configured(record));
  }

  @Override
  public void removed(FunctionId id, long version) {
    probe.tell(new Removed(id, version));
  }
}
