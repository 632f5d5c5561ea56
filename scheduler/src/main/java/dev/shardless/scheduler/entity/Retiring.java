package dev.shardless.scheduler.entity;

import dev.shardless.scheduler.entity.FunctionEntity.Command;
import dev.shardless.scheduler.entity.FunctionEntity.Configure;
import dev.shardless.scheduler.entity.FunctionEntity.GetStatus;
import dev.shardless.scheduler.entity.FunctionEntity.Lease;
import dev.shardless.scheduler.entity.FunctionEntity.Rejected;
import dev.shardless.scheduler.entity.FunctionEntity.Remove;
import dev.shardless.scheduler.entity.FunctionEntity.RuntimeStatus;
import dev.shardless.scheduler.entity.FunctionEntity.Scale;
import dev.shardless.scheduler.entity.FunctionEntity.Stop;
import dev.shardless.scheduler.entity.FunctionEntity.Wiring;
import java.time.Duration;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The last phase of a {@link FunctionEntity} that has nothing to run: it has asked to be passivated
 * ({@link Retirement}) and, until {@link Stop} comes, answers every request still reaching it:
 * leases get the reason it is retiring (404 deleted or unknown, 503 registry unavailable). A newer
 * definition ({@link Configure}) is passed on to the next incarnation rather than lost.
 */
final class Retiring extends AbstractBehavior<Command> {
  static final RuntimeStatus NOT_DEPLOYED = new RuntimeStatus(false, 0, 0, 0, 0, 0);

  private final Wiring wiring;
  private final Rejected rejection;

  private Retiring(ActorContext<Command> ctx, Wiring wiring, Rejected rejection) {
    super(ctx);
    this.wiring = wiring;
    this.rejection = rejection;
  }

  static Retiring start(ActorContext<Command> ctx, Wiring wiring, int status, String reason) {
    wiring.retirement().retire(ctx.getSelf());
    Duration retryAfter = status == 503 ? FunctionEntity.RETRY_AFTER_FULL : Duration.ZERO;
    return new Retiring(ctx, wiring, new Rejected(status, reason, retryAfter));
  }

  /** How a retiring entity answers {@code m}; also used for commands stashed before retiring. */
  void answer(Command m) {
    if (m instanceof Lease l) {
      l.replyTo().tell(rejection);
    } else if (m instanceof GetStatus g) {
      g.replyTo().tell(NOT_DEPLOYED);
    } else if (m instanceof FunctionEntity.GetScaling g) {
      g.replyTo().tell(FunctionEntity.ScalingStatus.NONE);
    } else if (m instanceof Scale s) {
      s.replyTo().tell(Done.getInstance());
    } else if (m instanceof Remove r) {
      r.replyTo().tell(Done.getInstance());
    } else if (m instanceof Configure c) {
      wiring.retirement().redeliver(c);
    } else if (m instanceof FunctionEntity.SlotsHeld h) {
      h.holder().tell(new FunctionEntity.Recall(wiring.id(), getContext().getSelf(), null));
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Stop.class, m -> Behaviors.stopped())
        .onAnyMessage(this::onAny)
        .build();
  }

  private Behavior<Command> onAny(Command m) {
    answer(m);
    return this;
  }
}
