package dev.shardless.scheduler.entity;

import dev.shardless.scheduler.entity.FunctionEntity.Command;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;

/**
 * How an entity with nothing to run (its function deleted, unknown, or its definition unavailable)
 * goes away. Sharded, it asks its shard to passivate it: the shard then holds messages that arrive
 * meanwhile and hands them to a fresh incarnation, instead of their going to dead letters (a lost
 * {@code Lease} would leave its caller waiting for the gateway's backstop timeout).
 */
public interface Retirement {
  /** Starts the retirement; {@link FunctionEntity.Stop} arrives at the entity when it may stop. */
  void retire(ActorRef<Command> self);

  /** Sends {@code command} to the function's next incarnation (after this one has stopped). */
  void redeliver(Command command);

  /** Through the entity's shard: Pekko's passivation protocol. */
  static Retirement sharded(EntityContext<Command> entity, ClusterSharding sharding) {
    return new Retirement() {
      @Override
      public void retire(ActorRef<Command> self) {
        entity.getShard().tell(new ClusterSharding.Passivate<>(self));
      }

      @Override
      public void redeliver(Command command) {
        sharding.entityRefFor(FunctionEntity.TYPE_KEY, entity.getEntityId()).tell(command);
      }
    };
  }

  /** Outside sharding (tests): stop after what is already queued; nothing to redeliver to. */
  static Retirement unsharded() {
    return new Retirement() {
      @Override
      public void retire(ActorRef<Command> self) {
        self.tell(FunctionEntity.Stop.INSTANCE);
      }

      @Override
      public void redeliver(Command command) {}
    };
  }
}
