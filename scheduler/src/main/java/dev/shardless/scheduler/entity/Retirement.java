package dev.shardless.scheduler.entity;

import dev.shardless.scheduler.entity.FunctionEntity.Command;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * What differs for an entity inside Cluster Sharding. How an entity with nothing to run (its
 * function deleted, unknown, or its definition unavailable) goes away. Sharded, it asks its shard
 * to passivate it: the shard then holds messages that arrive meanwhile and hands them to a fresh
 * incarnation, instead of their going to dead letters (a lost {@code Lease} would leave its caller
 * waiting for the gateway's backstop timeout). And how it hears that a node left the cluster
 * ({@link #watchNodes}), to take back the leases that node's gateway held.
 */
public interface Retirement {
  /** Starts the retirement; {@link FunctionEntity.Stop} arrives at the entity when it may stop. */
  void retire(ActorRef<Command> self);

  /** Sends {@code command} to the function's next incarnation (after this one has stopped). */
  void redeliver(Command command);

  /**
   * Sends the entity a {@link FunctionEntity.NodeRemoved} whenever a node leaves the cluster.
   * Outside a cluster: never.
   */
  default void watchNodes(ActorContext<Command> ctx) {}

  /**
   * Through the entity's shard: Pekko's passivation protocol; cluster membership for node losses.
   */
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

      @Override
      public void watchNodes(ActorContext<Command> ctx) {
        ActorRef<ClusterEvent.MemberRemoved> adapter =
            ctx.messageAdapter(
                ClusterEvent.MemberRemoved.class,
                e -> new FunctionEntity.NodeRemoved(e.member().address()));
        Cluster.get(ctx.getSystem())
            .subscriptions()
            .tell(Subscribe.create(adapter, ClusterEvent.MemberRemoved.class));
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
