package dev.shardless.cluster.gateway;

import dev.shardless.scheduler.entity.FunctionEntity.Command;
import dev.shardless.scheduler.entity.FunctionEntity.Leased;
import dev.shardless.scheduler.entity.FunctionEntity.Recall;
import dev.shardless.scheduler.entity.FunctionEntity.Release;
import dev.shardless.scheduler.entity.FunctionEntity.SlotsHeld;
import dev.shardless.scheduler.model.FunctionId;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * This gateway node's held slots, one {@link SlotPool} per function: a call first takes an idle
 * held slot (no message at all), and only when none is idle asks the function's entity, asking to
 * {@link dev.shardless.scheduler.entity.FunctionEntity.Lease#hold hold} the slot it gets. The
 * entity counts a held slot as in flight until it comes back, so {@code max_inflight} stays exact
 * across nodes; holding saves the cross-node ask and release of every call whose entity lives on
 * another node (issue 5, DESIGN.md §6).
 *
 * <p>A slot goes back to its entity ({@link Release#UNUSED}, the calls having been reported) when
 * it has been idle for {@code hold-time}, when the entity recalls it ({@link Recall}: requests
 * wait, its replica drains or went, the entity hands off or is removed), when a call on it failed
 * in transit, when the entity's node becomes unreachable or leaves, and when this node shuts down
 * ({@link #close}). Every {@code report-interval} each entity hears what the node holds of it and
 * how many calls it made ({@link SlotsHeld}).
 *
 * <p>Hot path: {@link #take} and {@link #done} are a map lookup and a short uncontended lock on the
 * function's pool, and allocate nothing.
 */
public final class SlotHolder {
  /** Which leases the node holds. */
  public enum Mode {
    /** None: one ask and one release per call. */
    OFF,
    /** Those granted by entities on other nodes (a local ask costs no network round trip). */
    REMOTE,
    /** All. */
    ALL;

    static Mode parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "shardless.gateway.hold-slots must be off, remote or all, was '" + s + "'", e);
      }
    }
  }

  /** How a call on a held slot ended. */
  enum Outcome {
    /** Answered: the slot may serve the next call. */
    OK,
    /** Timed out: the replica may still work on the call, so the slot goes back. */
    GIVE_BACK,
    /** The replica could not be reached: every slot of its entity goes back. */
    BROKEN
  }

  private final Mode mode;
  private final long holdNanos;
  private final int reportEvery;
  private final Address self;
  private final ConcurrentHashMap<FunctionId, SlotPool> pools = new ConcurrentHashMap<>();
  private final ActorRef<Object> actor;
  private final ActorRef<Recall> ref;
  private final LongAdder asked = new LongAdder();
  private final LongAdder reused = new LongAdder();

  /** Entity incarnations this node watches, to forget their slots when they stop. */
  private final java.util.Set<ActorRef<Command>> watched = ConcurrentHashMap.newKeySet();

  private volatile boolean closed;
  private int ticks;

  /**
   * Starts the node's holder: its actor (recalls, cluster reachability) and its sweep timer. With
   * {@link Mode#OFF} it holds nothing and starts nothing.
   */
  public SlotHolder(ActorSystem<?> system, Mode mode, Duration holdTime, Duration reportInterval) {
    this.mode = mode;
    this.holdNanos = holdTime.toNanos();
    Duration tick = holdTime.dividedBy(4);
    if (tick.compareTo(reportInterval) > 0) {
      tick = reportInterval;
    }
    if (tick.compareTo(Duration.ofMillis(10)) < 0) {
      tick = Duration.ofMillis(10);
    }
    this.reportEvery = (int) Math.max(1, reportInterval.toNanos() / tick.toNanos());
    this.self = Leases.selfAddress(system);
    if (mode == Mode.OFF) {
      this.actor = null;
      this.ref = null;
      return;
    }
    this.actor = system.systemActorOf(behavior(), "shardless-slot-holder", Props.empty());
    this.ref = actor.narrow();
    Cluster.get(system)
        .subscriptions()
        .tell(Subscribe.create(actor.narrow(), ClusterEvent.UnreachableMember.class));
    Cluster.get(system)
        .subscriptions()
        .tell(Subscribe.create(actor.narrow(), ClusterEvent.MemberRemoved.class));
    system.scheduler().scheduleWithFixedDelay(tick, tick, this::tick, system.executionContext());
  }

  /** What a lease names to ask to keep its slot ({@code Lease.holder}); null when not holding. */
  ActorRef<Recall> holder() {
    return mode != Mode.OFF && !closed ? ref : null;
  }

  /** An idle held slot of {@code function}, now busy; null when none (ask the entity). */
  SlotPool.Held take(FunctionId function) {
    if (mode == Mode.OFF) {
      return null;
    }
    SlotPool pool = pools.get(function);
    if (pool == null) {
      return null;
    }
    SlotPool.Held h;
    synchronized (pool) {
      h = pool.take();
    }
    if (h != null) {
      reused.increment();
    }
    return h;
  }

  /**
   * A lease was just granted for a call: holds it when the entity allows and the mode says so; null
   * when the call must release it itself.
   */
  SlotPool.Held adopt(FunctionId function, Leased lease) {
    asked.increment();
    if (!lease.keep()
        || closed
        || (mode == Mode.REMOTE && !lease.entity().path().address().hasGlobalScope())) {
      return null;
    }
    while (true) {
      SlotPool pool = pools.computeIfAbsent(function, f -> new SlotPool());
      SlotPool.Held h;
      synchronized (pool) {
        h = pool.adopt(lease);
      }
      if (h != null) {
        // Watched after the slot is in its pool: an incarnation that stops before or during this
        // is answered by a Terminated that recalls the slot; one that stops later is watched.
        if (watched.add(lease.entity())) {
          actor.tell(new Watch(lease.entity()));
        }
        return h;
      }
      pools.remove(function, pool); // retired by the sweep meanwhile
    }
  }

  /** The call on held slot {@code h} ended. */
  void done(SlotPool.Held h, Outcome outcome) {
    SlotPool pool = h.pool();
    List<SlotPool.Held> alsoBack = List.of();
    boolean kept;
    synchronized (pool) {
      if (outcome == Outcome.BROKEN) {
        alsoBack = pool.recall(SlotPool.of(h.lease().entity(), null));
      }
      kept = pool.done(h, outcome == Outcome.OK && !closed, System.nanoTime());
    }
    if (!kept) {
      giveBack(h);
    }
    giveBack(alsoBack);
  }

  /** Calls that asked their entity for a lease, since the node started. */
  long asked() {
    return asked.sum();
  }

  /** Calls served on a held slot with no ask, since the node started. */
  long reused() {
    return reused.sum();
  }

  /** Slots held now, idle or busy. */
  int held() {
    int n = 0;
    for (SlotPool pool : pools.values()) {
      synchronized (pool) {
        n += pool.size();
      }
    }
    return n;
  }

  /**
   * This node is leaving: holds nothing more, gives back every idle slot now and every busy one
   * when its call ends. For coordinated shutdown, after the HTTP server has drained.
   */
  public CompletionStage<Done> close() {
    closed = true;
    recallEverywhere(l -> true, true);
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  /**
   * Recalls, in every function's pool, the slots whose lease matches; the idle ones go back to
   * their entities now when {@code giveBack}, else they are only forgotten.
   */
  private void recallEverywhere(Predicate<Leased> which, boolean giveBack) {
    for (SlotPool pool : pools.values()) {
      List<SlotPool.Held> back;
      synchronized (pool) {
        back = pool.recall(which);
      }
      if (giveBack) {
        giveBack(back);
      }
    }
  }

  /** To the holder's actor: watch this entity incarnation. */
  private record Watch(ActorRef<Command> entity) {}

  /** To the holder's actor: a watched entity incarnation stopped. */
  private record Stopped(ActorRef<Command> entity) {}

  private Behavior<Object> behavior() {
    return Behaviors.setup(
        ctx ->
            Behaviors.receive(Object.class)
                .onMessage(Recall.class, this::onRecall)
                .onMessage(
                    Watch.class,
                    w -> {
                      ctx.watchWith(w.entity(), new Stopped(w.entity()));
                      return Behaviors.same();
                    })
                .onMessage(Stopped.class, this::onStopped)
                .onMessage(
                    ClusterEvent.UnreachableMember.class, e -> lostNode(e.member().address()))
                .onMessage(ClusterEvent.MemberRemoved.class, e -> lostNode(e.member().address()))
                .build());
  }

  /**
   * An entity incarnation stopped (handed off, removed, passivated) while this node may still hold
   * slots of it, say because a recall crossed a grant: they are forgotten, never reused. Nothing is
   * sent back: its replica table is gone.
   */
  private Behavior<Object> onStopped(Stopped m) {
    watched.remove(m.entity());
    recallEverywhere(l -> l.entity().equals(m.entity()), false);
    return Behaviors.same();
  }

  private Behavior<Object> onRecall(Recall m) {
    SlotPool pool = pools.get(m.function());
    if (pool != null) {
      List<SlotPool.Held> back;
      synchronized (pool) {
        back = pool.recall(SlotPool.of(m.entity(), m.replica()));
      }
      giveBack(back);
    }
    return Behaviors.same();
  }

  /**
   * The slots granted by entities on {@code node} are not reused: their replicas may be gone with
   * it. Idle ones are given back all the same, so that counts stay exact if the node comes back.
   */
  private Behavior<Object> lostNode(Address node) {
    recallEverywhere(l -> l.entity().path().address().equals(node), true);
    return Behaviors.same();
  }

  /**
   * The sweep: gives back slots idle too long; every few ticks, reports to the entities and drops
   * the pools of functions the node holds nothing of any more.
   */
  private void tick() {
    long now = System.nanoTime();
    boolean report = ++ticks % reportEvery == 0;
    for (Map.Entry<FunctionId, SlotPool> e : pools.entrySet()) {
      SlotPool pool = e.getValue();
      List<SlotPool.Held> back;
      List<SlotPool.Report> reports;
      boolean retired = false;
      synchronized (pool) {
        back = pool.expire(now, holdNanos);
        reports = report ? pool.reports() : List.of();
        if (report) {
          retired = pool.retireIfEmpty();
        }
      }
      if (retired) {
        pools.remove(e.getKey(), pool);
      }
      giveBack(back);
      for (SlotPool.Report r : reports) {
        r.entity().tell(new SlotsHeld(ref, r.calls(), r.idle(), r.replicas()));
      }
    }
  }

  private void giveBack(List<SlotPool.Held> slots) {
    for (SlotPool.Held h : slots) {
      giveBack(h);
    }
  }

  private void giveBack(SlotPool.Held h) {
    Leases.giveBackUnused(h.lease(), self);
  }
}
