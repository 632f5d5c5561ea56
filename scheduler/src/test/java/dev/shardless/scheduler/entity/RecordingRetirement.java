package dev.shardless.scheduler.entity;

import dev.shardless.scheduler.entity.FunctionEntity.Command;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A {@link Retirement} that plays the shard: it records the passivation request and what the entity
 * hands on to its next incarnation, and sends {@link FunctionEntity.Stop} only when the test says
 * so, so a test controls what reaches a retiring entity.
 */
final class RecordingRetirement implements Retirement {
  final AtomicReference<ActorRef<Command>> retired = new AtomicReference<>();
  final List<Command> redelivered = new CopyOnWriteArrayList<>();

  @Override
  public void retire(ActorRef<Command> self) {
    retired.set(self);
  }

  @Override
  public void redeliver(Command command) {
    redelivered.add(command);
  }

  /** What the shard does once the entity asked to be passivated. */
  void stopNow() {
    retired.get().tell(FunctionEntity.Stop.INSTANCE);
  }
}
