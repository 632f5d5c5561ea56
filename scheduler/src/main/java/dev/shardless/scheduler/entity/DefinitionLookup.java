package dev.shardless.scheduler.entity;

import dev.shardless.scheduler.entity.FunctionEntity.Command;
import dev.shardless.scheduler.entity.FunctionEntity.Configure;
import dev.shardless.scheduler.entity.FunctionEntity.Lease;
import dev.shardless.scheduler.entity.FunctionEntity.LookedUp;
import dev.shardless.scheduler.entity.FunctionEntity.LookupTimedOut;
import dev.shardless.scheduler.entity.FunctionEntity.Rejected;
import dev.shardless.scheduler.entity.FunctionEntity.Wiring;
import dev.shardless.scheduler.model.FunctionRecord;
import dev.shardless.scheduler.model.GoDuration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The first phase of a {@link FunctionEntity}: looks up the function's definition in the catalog
 * while stashing commands (at most stash-size; leases beyond that get a 429). A {@link Configure}
 * that arrives first wins; the lookup's answer then only applies if it is newer.
 *
 * <p>Unknown function: the entity retires ({@link Retiring}: leases get 404, status says not
 * deployed) rather than hold an empty entity. Catalog failure or timeout: it retires with 503, so
 * that the next command looks up again in a fresh incarnation.
 */
final class DefinitionLookup extends AbstractBehavior<Command> {
  private static final Object LOOKUP_TIMER = "lookup";

  private final TimerScheduler<Command> timers;
  private final StashBuffer<Command> stash;
  private final Wiring wiring;

  private DefinitionLookup(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      StashBuffer<Command> stash,
      Wiring wiring) {
    super(ctx);
    this.timers = timers;
    this.stash = stash;
    this.wiring = wiring;
  }

  static Behavior<Command> start(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      StashBuffer<Command> stash,
      Wiring wiring) {
    CompletionStage<Optional<FunctionRecord>> lookup;
    try {
      lookup = wiring.catalog().lookup(wiring.id());
    } catch (RuntimeException e) {
      lookup = CompletableFuture.failedFuture(e);
    }
    ctx.pipeToSelf(lookup, LookedUp::new);
    timers.startSingleTimer(
        LOOKUP_TIMER, LookupTimedOut.INSTANCE, wiring.settings().catalogTimeout());
    return new DefinitionLookup(ctx, timers, stash, wiring);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(LookedUp.class, this::onLookedUp)
        .onMessage(LookupTimedOut.class, this::onTimedOut)
        .onMessage(Configure.class, this::onConfigure)
        .onMessage(FunctionEntity.Stop.class, m -> Behaviors.stopped())
        .onAnyMessage(this::onOther)
        .build();
  }

  private Behavior<Command> onLookedUp(LookedUp m) {
    timers.cancel(LOOKUP_TIMER);
    if (m.failure() != null) {
      return unavailable("the function registry failed: " + m.failure().getMessage());
    }
    if (m.record().isEmpty()) {
      getContext().getLog().debug("{}: not deployed; answering and retiring", wiring.id());
      return retire(404, "function " + wiring.id() + " not found");
    }
    return run(m.record().get());
  }

  private Behavior<Command> onTimedOut(LookupTimedOut m) {
    return unavailable(
        "the function registry did not answer within "
            + GoDuration.format(wiring.settings().catalogTimeout()));
  }

  private Behavior<Command> onConfigure(Configure m) {
    timers.cancel(LOOKUP_TIMER);
    Behavior<Command> running = run(m.record());
    m.replyTo().tell(Done.getInstance());
    return running;
  }

  private Behavior<Command> run(FunctionRecord record) {
    FunctionEntity entity = FunctionEntity.running(getContext(), timers, wiring, record);
    return stash.unstashAll(entity);
  }

  private Behavior<Command> onOther(Command m) {
    if (stash.isFull()) {
      getContext().getLog().warn("{}: stash full while looking up; dropping {}", wiring.id(), m);
      if (m instanceof Lease l) {
        l.replyTo()
            .tell(
                new Rejected(
                    429,
                    "function " + wiring.id() + " is starting and has too many requests waiting",
                    FunctionEntity.RETRY_AFTER_FULL));
      }
    } else {
      stash.stash(m);
    }
    return this;
  }

  private Behavior<Command> unavailable(String reason) {
    getContext().getLog().warn("{}: definition unavailable, stopping: {}", wiring.id(), reason);
    return retire(503, "function " + wiring.id() + " is unavailable: " + reason);
  }

  /** Answers what was stashed as a retiring entity would, then retires. */
  private Behavior<Command> retire(int status, String reason) {
    Retiring retiring = Retiring.start(getContext(), wiring, status, reason);
    stash.forEach(retiring::answer);
    stash.clear();
    return retiring;
  }
}
