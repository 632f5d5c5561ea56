package dev.shardless.cluster.gateway;

import dev.shardless.scheduler.entity.FunctionEntity.Command;
import dev.shardless.scheduler.entity.FunctionEntity.Lease;
import dev.shardless.scheduler.entity.FunctionEntity.LeaseReply;
import dev.shardless.scheduler.entity.FunctionEntity.Leased;
import dev.shardless.scheduler.entity.FunctionEntity.Recall;
import dev.shardless.scheduler.entity.FunctionEntity.Release;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Asks a function's entity for a lease, across nodes. One ask per request when the entity answers
 * (the common case); when no answer comes within {@code retryInterval} the ask is sent again with
 * the same request id ({@link Lease#resent}), until {@code maxWait} in all.
 *
 * <p>Why: an ask can be lost when the entity's node crashes before it answers (the region still
 * routes to that node until the node is downed), or when the request was waiting in an incarnation
 * that was then handed off (it drops its waiting requests). Asked again, the request reaches the
 * entity's next home. An entity that still holds the request waiting only swaps its reply-to, so a
 * request never holds two places in a buffer.
 *
 * <p>Counts stay exact: a slot granted to an ask that had already given up (the answer crossed the
 * retry) goes to this node's dead letters, where {@link #reclaimer()} releases it at once with
 * {@link Release#UNUSED}.
 */
public final class Leases {
  private static final Executor DIRECT = Runnable::run;

  private final Duration maxWait;
  private final Duration retryInterval;

  public Leases(Duration maxWait, Duration retryInterval) {
    this.maxWait = maxWait;
    this.retryInterval = retryInterval;
  }

  /** How long a lease may take in all. */
  Duration maxWait() {
    return maxWait;
  }

  /**
   * The entity's answer; fails with a {@link TimeoutException} when none came within {@code
   * maxWait}. {@code holder}: this node's {@link SlotHolder}, asking to keep the slot for further
   * calls, or null.
   */
  CompletionStage<LeaseReply> lease(EntityRef<Command> entity, ActorRef<Recall> holder) {
    CompletableFuture<LeaseReply> out = new CompletableFuture<>();
    long id = ThreadLocalRandom.current().nextLong() | 1L; // 0 means "no id"
    ask(entity, id, false, holder, System.nanoTime() + maxWait.toNanos(), out);
    return out;
  }

  private void ask(
      EntityRef<Command> entity,
      long id,
      boolean resent,
      ActorRef<Recall> holder,
      long deadlineNanos,
      CompletableFuture<LeaseReply> out) {
    long left = Math.max(1_000_000L, deadlineNanos - System.nanoTime());
    Duration wait = left < retryInterval.toNanos() ? Duration.ofNanos(left) : retryInterval;
    entity
        .<LeaseReply>ask(replyTo -> new Lease(replyTo, id, resent, holder), wait)
        .whenCompleteAsync(
            (reply, error) -> {
              if (reply != null) {
                out.complete(reply);
              } else if (Failures.cause(error) instanceof TimeoutException
                  && deadlineNanos - System.nanoTime() > 0) {
                ask(entity, id, true, holder, deadlineNanos, out);
              } else {
                out.completeExceptionally(Failures.cause(error));
              }
            },
            DIRECT);
  }

  /**
   * Releases every lease that reaches this node's dead letters: one granted to an ask that had
   * given up. Start once per node and subscribe it with {@link #reclaimDeadLetters}.
   */
  static Behavior<DeadLetter> reclaimer() {
    return Behaviors.setup(ctx -> reclaiming(selfAddress(ctx.getSystem())));
  }

  private static Behavior<DeadLetter> reclaiming(Address self) {
    return Behaviors.receiveMessage(letter -> reclaim(letter, self));
  }

  private static Behavior<DeadLetter> reclaim(DeadLetter letter, Address self) {
    if (letter.message() instanceof Leased leased) {
      giveBackUnused(leased, self);
    }
    return Behaviors.same();
  }

  /**
   * Gives {@code lease} back to the incarnation that granted it with no call counted ({@link
   * Release#UNUSED}); {@code self} is this node, the lessee.
   */
  static void giveBackUnused(Leased lease, Address self) {
    lease.entity().tell(new Release(lease.replica(), Release.UNUSED, 0, self));
  }

  /**
   * This node's address, as releases name it: an entity on another node takes back the leases of a
   * node that left the cluster.
   */
  static Address selfAddress(ActorSystem<?> system) {
    return Cluster.get(system).selfMember().address();
  }

  /** Starts the {@link #reclaimer()} as a system actor and subscribes it to dead letters. */
  public static void reclaimDeadLetters(ActorSystem<?> system) {
    ActorRef<DeadLetter> reclaimer =
        system.systemActorOf(reclaimer(), "shardless-lease-reclaimer", Props.empty());
    system.eventStream().tell(new EventStream.Subscribe<>(DeadLetter.class, reclaimer));
  }
}
