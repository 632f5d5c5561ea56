package dev.shardless.scheduler.entity;

import dev.shardless.scheduler.CborSerializable;
import dev.shardless.scheduler.SchedulerSettings;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import dev.shardless.scheduler.model.GoDuration;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.model.ScalingSpec;
import dev.shardless.scheduler.policy.IdleRule;
import dev.shardless.scheduler.policy.LoadSnapshot;
import dev.shardless.scheduler.policy.Reconcile;
import dev.shardless.scheduler.policy.ReconcileAction;
import dev.shardless.scheduler.policy.ReplicaState;
import dev.shardless.scheduler.policy.RouteDecision;
import dev.shardless.scheduler.policy.Routing;
import dev.shardless.scheduler.policy.ScaleDecision;
import dev.shardless.scheduler.policy.ScaleReason;
import dev.shardless.scheduler.policy.ScalingPolicy;
import dev.shardless.scheduler.policy.keepalive.Fixed;
import dev.shardless.scheduler.policy.keepalive.KeepAliveDecision;
import dev.shardless.scheduler.policy.keepalive.KeepAlivePolicies;
import dev.shardless.scheduler.policy.keepalive.KeepAlivePolicy;
import dev.shardless.scheduler.port.FunctionCatalog;
import dev.shardless.scheduler.port.FunctionReplicas;
import dev.shardless.scheduler.port.ReplicaEndpoint;
import dev.shardless.scheduler.port.ReplicaEvents;
import dev.shardless.scheduler.port.ReplicaPlatform;
import dev.shardless.scheduler.port.SchedulerTelemetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.slf4j.Logger;

/**
 * One function's scheduler (sharded by {@code namespace/name}): it leases slots on ready replicas
 * to the gateway, buffers requests while replicas start or are busy, and keeps the replica count at
 * the desired value through the {@link ReplicaPlatform} port. The decisions are the pure {@link
 * Routing} and {@link Reconcile} policies; this class applies them and logs their reasons at debug.
 *
 * <p>Life: {@link #create} first looks up the definition ({@link DefinitionLookup}, commands
 * stashed meanwhile; a {@link Configure} that arrives first wins). An unknown function answers its
 * waiting callers (404, not deployed) and the entity stops. A known one starts {@code scaling.min}
 * replicas; a lease while the desired count is 0 starts enough replicas for the waiting requests
 * (single-flight scale from zero). {@link Scale} sets the desired count.
 *
 * <p>Autoscaling (when {@code scaling.min != scaling.max}): the pure {@link ScalingPolicy} is
 * evaluated on a timer every {@code autoscale.evaluation-interval} while the function has replicas
 * or waiting requests (a function idle at zero has no timer), when the buffer grows past what the
 * wanted replicas can take, and when a replica becomes ready or is lost. Its decision goes through
 * {@code setDesired} and the {@link Reconcile} plan, so a scale-down drains the chosen replicas.
 * Idle-to-zero is the policy's {@link IdleRule}: the function's keep-alive policy ({@link
 * KeepAlive}, label {@code shardless.keepalive}); the default {@code fixed} judges on the time of
 * the last granted lease (or of the last wake from zero). When the last call in flight completes a
 * learning policy decides when to unload and may ask for a pre-warm: after idling to zero one
 * single timer starts a replica the observed start-up time before the predicted call, and the
 * function goes back to zero at {@code prewarmUntil} if none came. {@link GetScaling} reports the
 * decisions and the pre-warms.
 *
 * <p><b>Lost on restart or rebalance:</b> the replicas (closed in PostStop, so none is orphaned),
 * the in-flight counts, the buffered requests (their callers' asks time out and they retry), the
 * invocation count and the keep-alive's learned idle times and start-up times (the policy relearns;
 * until then it keeps replicas longer, which costs idle time, never correctness). That is fine: the
 * definition is durable and comes back from the {@link FunctionCatalog}; the new incarnation starts
 * fresh replicas (a cold start, as after a scale to zero); Releases for replicas it does not know
 * are ignored, so stale leases cannot corrupt its counts.
 */
public final class FunctionEntity extends AbstractBehavior<FunctionEntity.Command> {
  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "function");

  /** Retry-After sent with a 429 (buffer full). */
  static final Duration RETRY_AFTER_FULL = Duration.ofSeconds(1);

  private static final Object SWEEP_TIMER = "sweep";
  private static final Object BACKOFF_TIMER = "backoff";
  private static final Object DRAIN_TIMER = "drain";
  private static final Object AUTOSCALE_TIMER = "autoscale";
  private static final Object PREWARM_TIMER = "prewarm";
  private static final Object HANDOFF_TIMER = "handoff";

  /**
   * The entity for {@code id}: looks up its definition in {@code catalog}, then runs its replicas
   * on {@code platform}. {@code clock} judges buffer and drain deadlines.
   */
  public static Behavior<Command> create(
      FunctionId id,
      ReplicaPlatform platform,
      FunctionCatalog catalog,
      SchedulerSettings settings,
      Clock clock) {
    return create(id, platform, catalog, settings, clock, Retirement.unsharded());
  }

  /**
   * The sharded entity: as {@link #create(FunctionId, ReplicaPlatform, FunctionCatalog,
   * SchedulerSettings, Clock)}, retiring through its shard (register the entity with {@code
   * withStopMessage(Stop.INSTANCE)}).
   */
  public static Behavior<Command> create(
      FunctionId id,
      ReplicaPlatform platform,
      FunctionCatalog catalog,
      SchedulerSettings settings,
      Clock clock,
      Retirement retirement) {
    return create(id, platform, catalog, settings, clock, retirement, SchedulerTelemetry.NONE);
  }

  /** The sharded entity, reporting cold starts and scaling decisions to {@code telemetry}. */
  public static Behavior<Command> create(
      FunctionId id,
      ReplicaPlatform platform,
      FunctionCatalog catalog,
      SchedulerSettings settings,
      Clock clock,
      Retirement retirement,
      SchedulerTelemetry telemetry) {
    Wiring wiring = new Wiring(id, platform, catalog, settings, clock, retirement, telemetry);
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    Behaviors.withStash(
                        settings.stashSize(),
                        stash -> DefinitionLookup.start(ctx, timers, stash, wiring))));
  }

  /** What every incarnation is built from. */
  record Wiring(
      FunctionId id,
      ReplicaPlatform platform,
      FunctionCatalog catalog,
      SchedulerSettings settings,
      Clock clock,
      Retirement retirement,
      SchedulerTelemetry telemetry) {}

  /** Everything the entity understands. */
  public sealed interface Command extends CborSerializable {}

  /**
   * Hand off: sent by the shard when it passivates or hands the entity off to another node (the
   * sharded entity is registered with this stop message). The entity stops leasing, drops its
   * waiting requests (their gateways ask again, see {@link Lease#resent}, and the next incarnation
   * serves them), waits up to {@code handoff-drain-timeout} for the calls in flight on its replicas
   * to be released, then stops; the replicas are stopped on the way out.
   */
  public enum Stop implements Command {
    INSTANCE
  }

  /**
   * Run this definition. Sent by the registry after a deploy or update, and on registry recovery.
   * Ignored when {@code record.version()} is older than the running one. Replies Done once the
   * definition is in force (replicas may still be starting).
   */
  public record Configure(FunctionRecord record, ActorRef<Done> replyTo) implements Command {}

  /** The function was deleted: stop all replicas, fail buffered requests with 404, then stop. */
  public record Remove(long version, ActorRef<Done> replyTo) implements Command {}

  /**
   * Set the desired replica count (POST /system/scale-function), clamped to [0, max]. 0 stops every
   * replica once drained; the next request starts one again.
   */
  public record Scale(int replicas, ActorRef<Done> replyTo) implements Command {}

  /**
   * The function's async queue has {@code pending} jobs queued and not yet dispatched (bounded by
   * its async cap). Sent when it changes and every second while non-zero, since a new incarnation
   * of this entity starts at 0: the backlog is scaling demand and keeps the function from idling to
   * zero.
   */
  public record AsyncBacklog(int pending) implements Command {}

  /** Ask for the runtime status (replicas, invocation count). */
  public record GetStatus(ActorRef<RuntimeStatus> replyTo) implements Command {}

  /** Ask what the autoscaler decided: counts by reason and the recent replica-count changes. */
  public record GetScaling(ActorRef<ScalingStatus> replyTo) implements Command {}

  /**
   * The hot path: ask for a slot on a ready replica. Answered at once with {@link Leased}, later
   * (buffered while a replica starts), or with {@link Rejected}.
   *
   * <p>A gateway that got no answer within its retry interval asks again with the same {@code
   * requestId} and {@code resent} set: its first ask may have gone to a node that crashed, or to an
   * incarnation that was handed off. When the request still waits in this entity's buffer the new
   * {@code replyTo} replaces the old one (no second slot is taken); otherwise it is a new request.
   * A slot granted to an ask that had already given up lands in the gateway's dead letters, which
   * releases it ({@link Release#UNUSED}), so counts stay exact.
   *
   * <p>A gateway that names its node's {@code holder} may keep the slot after its call and reuse it
   * for further calls of this function, with no ask per call: {@link Leased#keep} says whether it
   * may. The entity then knows where to send a {@link Recall} from the grant on; the holder reports
   * what it holds ({@link SlotsHeld}) and gives slots back when they idle or are recalled.
   *
   * @param requestId chosen by the gateway, the same for every ask of one request (0: none)
   * @param resent true for the second and later asks of a request
   * @param holder the gateway node's slot holder when it would like to keep the slot, else null
   */
  public record Lease(
      ActorRef<LeaseReply> replyTo, long requestId, boolean resent, ActorRef<Recall> holder)
      implements Command {
    /** A single ask, never resent, for one call. */
    public Lease(ActorRef<LeaseReply> replyTo) {
      this(replyTo, 0, false, null);
    }

    /** An ask for one call (the slot goes back with its {@link Release}). */
    public Lease(ActorRef<LeaseReply> replyTo, long requestId, boolean resent) {
      this(replyTo, requestId, resent, null);
    }
  }

  /**
   * The hot path: the leased call finished. {@code status} is the HTTP status the caller got (502
   * when the replica could not be reached, 504 on timeout), or {@link #UNUSED}.
   */
  public record Release(ReplicaId replica, int status, long durationNanos, Address lessee)
      implements Command {
    /** Status of a slot that was granted after its caller had given up: no call was made. */
    public static final int UNUSED = 0;

    /** A release from a gateway that does not say where it runs (tests; a single node). */
    public Release(ReplicaId replica, int status, long durationNanos) {
      this(replica, status, durationNanos, null);
    }
  }

  /**
   * A gateway node's report, sent every {@code slot-report-interval} while it holds slots of this
   * incarnation or has used them since its last report: the calls it made on held slots (they count
   * as invocations and as activity for idle-to-zero) and the replicas it holds slots on. The entity
   * answers with a {@link Recall} when the node should give some back ({@link
   * dev.shardless.scheduler.policy.Recalls}), which also repairs a recall that crossed a grant.
   *
   * @param holder where to send {@link Recall}s (one per gateway node)
   * @param calls calls completed on held slots since the last report
   * @param idle how many of the held slots no call was using at the time of the report: the
   *     autoscaler does not count them as load
   * @param replicas the replicas of the held slots, one entry per slot
   */
  public record SlotsHeld(ActorRef<Recall> holder, long calls, int idle, List<ReplicaId> replicas)
      implements Command {
    public SlotsHeld {
      replicas = List.copyOf(replicas);
    }
  }

  /**
   * To a gateway node's slot holder: give back the slots held of {@code entity} (this incarnation),
   * those on {@code replica} only when it is not null. Idle ones go back at once, busy ones when
   * their call ends, each with a {@link Release} of status {@link Release#UNUSED}.
   */
  public record Recall(FunctionId function, ActorRef<Command> entity, ReplicaId replica)
      implements CborSerializable {}

  /** Answer to {@link Lease}. */
  public sealed interface LeaseReply extends CborSerializable {}

  /**
   * A slot on {@code replica}, reachable at {@code host:port}; the caller must send exactly one
   * {@link Release} for it, to {@code entity}. {@code timeout} is the function's per-request
   * timeout.
   *
   * <p>{@code entity} is this incarnation's own ref: a release sent straight to it skips the
   * sharding region and shard (two actor hops per call). If the incarnation has stopped meanwhile,
   * the release is dropped, which is right: its replica table went with it.
   *
   * <p>{@code keep}: the gateway named its {@link Lease#holder} and may keep this slot for further
   * calls until it gives it back (its single {@link Release}); false when requests were waiting.
   */
  public record Leased(
      ReplicaId replica,
      String host,
      int port,
      Duration timeout,
      ActorRef<Command> entity,
      boolean keep)
      implements LeaseReply {
    /** A slot for one call. */
    public Leased(
        ReplicaId replica, String host, int port, Duration timeout, ActorRef<Command> entity) {
      this(replica, host, port, timeout, entity, false);
    }
  }

  /**
   * No slot: {@code status} is 404 (no such function), 429 (buffer full; retry after {@code
   * retryAfter}), 503 (no replica could be started) or 504 (none became free in time).
   */
  public record Rejected(int status, String reason, Duration retryAfter) implements LeaseReply {}

  /**
   * What {@link GetStatus} answers.
   *
   * @param deployed false when the entity knows no definition
   * @param desiredReplicas replicas the entity wants running
   * @param readyReplicas replicas that accept leases (not draining)
   * @param invocationCount calls released since this entity incarnation started
   * @param inFlight leases out now
   * @param buffered requests waiting for a slot
   */
  public record RuntimeStatus(
      boolean deployed,
      int desiredReplicas,
      int readyReplicas,
      long invocationCount,
      int inFlight,
      int buffered)
      implements CborSerializable {}

  /**
   * What {@link GetScaling} answers; the counts are for metrics (issue 7).
   *
   * @param autoscaling false when the function is pinned (min == max) or not deployed
   * @param desiredReplicas replicas the entity wants running
   * @param decisionsByReason evaluations since this incarnation started, by {@link ScaleReason}
   *     name (holds included)
   * @param recentChanges the last few replica-count changes the autoscaler made, oldest first
   * @param keepAlive the keep-alive policy's name, e.g. {@code fixed-15m} or {@code adaptive}
   * @param prewarms replicas started ahead of a predicted call since this incarnation started
   * @param prewarmHits pre-warms that a call reached before {@code prewarmUntil}
   * @param prewarmMisses pre-warms that went back to zero with no call
   */
  public record ScalingStatus(
      boolean autoscaling,
      int desiredReplicas,
      Map<String, Long> decisionsByReason,
      List<ScalingChange> recentChanges,
      String keepAlive,
      long prewarms,
      long prewarmHits,
      long prewarmMisses)
      implements CborSerializable {
    public static final ScalingStatus NONE =
        new ScalingStatus(false, 0, Map.of(), List.of(), "none", 0, 0, 0);

    public ScalingStatus {
      decisionsByReason = Map.copyOf(decisionsByReason);
      recentChanges = List.copyOf(recentChanges);
    }
  }

  /** One autoscaler change of the desired count, {@code reason} a {@link ScaleReason} name. */
  public record ScalingChange(long atEpochMillis, int from, int to, String reason, String detail)
      implements CborSerializable {}

  // ---- Internal messages: sent only by this entity to itself (never over the network). ----

  /** The catalog answered: the definition, none, or a failure. */
  record LookedUp(Optional<FunctionRecord> record, Throwable failure) implements Command {}

  /** The catalog did not answer within catalog-timeout. */
  record LookupTimedOut() implements Command {
    static final LookupTimedOut INSTANCE = new LookupTimedOut();
  }

  private record ReplicaReady(ReplicaId id, ReplicaEndpoint endpoint) implements Command {}

  private record ReplicaLost(ReplicaId id, String reason) implements Command {}

  private record ReplicaStopped(ReplicaId id) implements Command {}

  /** Time to fail buffered requests past their deadline. */
  private record ExpireBuffered() implements Command {
    static final ExpireBuffered INSTANCE = new ExpireBuffered();
  }

  /** The crash backoff has passed: starts may go ahead. */
  private record BackoffOver() implements Command {
    static final BackoffOver INSTANCE = new BackoffOver();
  }

  /** A draining replica's deadline may have passed. */
  private record CheckDrains() implements Command {
    static final CheckDrains INSTANCE = new CheckDrains();
  }

  /** Time for the autoscaler's periodic evaluation. */
  private record EvaluateScale() implements Command {
    static final EvaluateScale INSTANCE = new EvaluateScale();
  }

  /**
   * A node left the cluster (downed or gone): the leases its gateway held here will never be
   * released; their slots are taken back.
   */
  record NodeRemoved(Address node) implements Command {}

  /** The hand-off drain bound has passed: stop, cutting what is still in flight. */
  private record HandoffDrainOver() implements Command {
    static final HandoffDrainOver INSTANCE = new HandoffDrainOver();
  }

  /** Time to start the replica of an armed pre-warm. */
  private record StartPrewarm() implements Command {
    static final StartPrewarm INSTANCE = new StartPrewarm();
  }

  /** Turns platform callbacks (any thread) into messages to the entity. */
  private record EventsToSelf(ActorRef<Command> self) implements ReplicaEvents {
    @Override
    public void ready(ReplicaId id, ReplicaEndpoint endpoint) {
      self.tell(new ReplicaReady(id, endpoint));
    }

    @Override
    public void lost(ReplicaId id, String reason) {
      self.tell(new ReplicaLost(id, reason));
    }

    @Override
    public void stopped(ReplicaId id) {
      self.tell(new ReplicaStopped(id));
    }
  }

  // ---- State ----

  private final TimerScheduler<Command> timers;
  private final Wiring wiring;
  private final SchedulerSettings settings;
  private final Clock clock;
  private final Logger log;
  private final FunctionReplicas replicas;
  private final SchedulerTelemetry.FunctionTelemetry telemetry;
  private final ReplicaTable table = new ReplicaTable();
  private final LeaseBuffer buffer;
  private final SlotHolders holders;
  private final Autoscaler autoscaler;
  private final KeepAlive keepAlive = new KeepAlive(new Fixed(ScalingSpec.DEFAULT.zeroDuration()));

  private FunctionRecord record;
  // Cached from the spec: parsed once per definition, not once per lease.
  private Duration timeout;
  private long timeoutMillis;
  private int maxInflight;
  private ScalingSpec scaling;

  private int desired;

  /** True when the desired count was raised by a lease at zero, not by an operator or min. */
  private boolean desiredFromDemand;

  private long invocationCount;

  /** When the last lease was granted, or the entity woke from zero: idle-to-zero counts from it. */
  private long lastStartedMillis;

  /** True while the autoscaler's timer runs. */
  private boolean ticking;

  /** The last {@link AsyncBacklog} reported. */
  private int asyncPending;

  /** When demand woke the function from zero (clock ms), until its first replica is ready; -1. */
  private long coldStartSince = -1;

  private int replicaCounter;
  private int startFailures;
  private boolean backoffPending;
  private boolean sweeping;

  private FunctionEntity(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      Wiring wiring,
      FunctionRecord record) {
    super(ctx);
    this.timers = timers;
    this.wiring = wiring;
    this.settings = wiring.settings();
    this.clock = wiring.clock();
    this.log = ctx.getLog();
    this.buffer = new LeaseBuffer(settings.bufferSize());
    this.holders = new SlotHolders(wiring.id(), ctx.getSelf(), log);
    this.telemetry = wiring.telemetry().of(wiring.id());
    this.autoscaler = new Autoscaler(settings.autoscale(), keepAlive, telemetry);
    this.lastStartedMillis = clock.millis();
    this.replicas = wiring.platform().open(wiring.id(), new EventsToSelf(ctx.getSelf()));
    wiring.retirement().watchNodes(ctx);
    define(record);
    this.desired = scaling.min();
  }

  /** The running entity for a known definition; starts its first replicas. */
  static FunctionEntity running(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      Wiring wiring,
      FunctionRecord record) {
    FunctionEntity entity = new FunctionEntity(ctx, timers, wiring, record);
    entity.reconcile("deployed version " + record.version());
    return entity;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Lease.class, this::onLease)
        .onMessage(Release.class, this::onRelease)
        .onMessage(SlotsHeld.class, this::onSlotsHeld)
        .onMessage(ReplicaReady.class, this::onReplicaReady)
        .onMessage(ReplicaLost.class, this::onReplicaLost)
        .onMessage(ReplicaStopped.class, this::onReplicaStopped)
        .onMessage(ExpireBuffered.class, this::onExpireBuffered)
        .onMessage(BackoffOver.class, this::onBackoffOver)
        .onMessage(CheckDrains.class, this::onCheckDrains)
        .onMessage(EvaluateScale.class, this::onEvaluateScale)
        .onMessage(StartPrewarm.class, this::onStartPrewarm)
        .onMessage(AsyncBacklog.class, this::onAsyncBacklog)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(GetScaling.class, this::onGetScaling)
        .onMessage(Scale.class, this::onScale)
        .onMessage(Configure.class, this::onConfigure)
        .onMessage(Remove.class, this::onRemove)
        .onMessage(LookedUp.class, this::onLateLookup)
        .onMessage(LookupTimedOut.class, m -> this)
        .onMessage(NodeRemoved.class, this::onNodeRemoved)
        .onMessage(Stop.class, this::onStop)
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  // ---- Hand-off (Stop from the shard) ----

  /**
   * Handed off: stop leasing at once; stop when the calls in flight are released or the drain bound
   * passes. Waiting requests are dropped: their gateways ask again (see {@link Lease}).
   */
  private Behavior<Command> onStop(Stop m) {
    int dropped = buffer.size();
    buffer.drainAll(w -> {});
    timers.cancelAll();
    holders.recallAll("handed off");
    int inFlight = table.totalInFlight();
    if (inFlight == 0 || settings.handoffDrain().isZero()) {
      log.debug(
          "{}: handed off ({} waiting requests left to their gateways)", wiring.id(), dropped);
      return Behaviors.stopped();
    }
    log.info(
        "{}: handed off; draining {} calls in flight (at most {}) before its replicas stop",
        wiring.id(),
        inFlight,
        GoDuration.format(settings.handoffDrain()));
    timers.startSingleTimer(HANDOFF_TIMER, HandoffDrainOver.INSTANCE, settings.handoffDrain());
    return Behaviors.receive(Command.class)
        .onMessage(Release.class, this::onReleaseHandingOff)
        .onMessage(SlotsHeld.class, this::onSlotsHeldHandingOff)
        .onMessage(NodeRemoved.class, this::onNodeRemovedHandingOff)
        .onMessage(ReplicaLost.class, this::onLostHandingOff)
        .onMessage(HandoffDrainOver.class, this::onHandoffDrainOver)
        .onSignal(PostStop.class, this::onPostStop)
        .build();
  }

  private Behavior<Command> onReleaseHandingOff(Release m) {
    Replica r = table.get(m.replica());
    if (r != null) {
      r.released(m.lessee());
    }
    return drainedOrSame();
  }

  /** A node still holds slots of this handed-off incarnation (a recall crossed a grant). */
  private Behavior<Command> onSlotsHeldHandingOff(SlotsHeld m) {
    m.holder().tell(new Recall(wiring.id(), getContext().getSelf(), null));
    return Behaviors.same();
  }

  private Behavior<Command> onNodeRemovedHandingOff(NodeRemoved m) {
    holders.forget(m.node());
    dropLeasesOf(m.node());
    return drainedOrSame();
  }

  private Behavior<Command> onLostHandingOff(ReplicaLost m) {
    table.remove(m.id());
    return drainedOrSame();
  }

  private Behavior<Command> drainedOrSame() {
    if (table.totalInFlight() == 0) {
      log.debug("{}: drained after hand-off", wiring.id());
      return Behaviors.stopped();
    }
    return Behaviors.same();
  }

  private Behavior<Command> onHandoffDrainOver(HandoffDrainOver m) {
    log.warn(
        "{}: hand-off drain bound passed with {} calls in flight; stopping the replicas",
        wiring.id(),
        table.totalInFlight());
    return Behaviors.stopped();
  }

  // ---- Hot path ----

  private Behavior<Command> onLease(Lease m) {
    if (m.resent() && buffer.redirect(m.requestId(), m.replyTo())) {
      return this; // still waiting here: the new ask takes the old one's place
    }
    noteCall();
    RouteDecision d = Routing.route(table.all(), maxInflight, buffer.size(), buffer.capacity());
    if (d instanceof RouteDecision.ToReplica to) {
      if (m.holder() != null) {
        holders.granted(m.holder());
      }
      lease(table.get(to.replica()), m.replyTo(), m.holder() != null);
    } else if (d instanceof RouteDecision.Buffer b) {
      if (buffer.isEmpty()) {
        // Slots held idle by gateway nodes would make this request wait behind nothing.
        holders.recallAll("a request is waiting");
      }
      buffer.add(m.replyTo(), m.requestId(), clock.millis() + timeoutMillis, timeout);
      if (log.isDebugEnabled()) {
        log.debug("{}: lease buffered ({} waiting): {}", wiring.id(), buffer.size(), b.reason());
      }
      if (!sweeping) {
        timers.startTimerWithFixedDelay(
            SWEEP_TIMER, ExpireBuffered.INSTANCE, settings.expireInterval());
        sweeping = true;
      }
      if (ScalingPolicy.demandExceeds(
          scaling, desired, busyInFlight(), buffer.size() + asyncPending)) {
        autoscale("buffer grew");
      }
    } else if (d instanceof RouteDecision.Reject r) {
      if (log.isDebugEnabled()) {
        log.debug("{}: lease rejected {}: {}", wiring.id(), r.status(), r.reason());
      }
      m.replyTo().tell(new Rejected(r.status(), r.reason(), RETRY_AFTER_FULL));
    }
    return this;
  }

  /** Grants a slot on {@code r}; {@code keep}: the gateway may hold it for further calls. */
  private void lease(Replica r, ActorRef<LeaseReply> replyTo, boolean keep) {
    r.inFlight++;
    Address lessee = replyTo.path().address();
    if (lessee.hasGlobalScope()) {
      r.leasedTo(lessee); // a gateway on another node
    }
    lastStartedMillis = clock.millis();
    if (log.isDebugEnabled()) {
      log.debug("{}: leased {} (least loaded ready replica)", wiring.id(), r);
    }
    replyTo.tell(new Leased(r.id(), r.host, r.port, timeout, getContext().getSelf(), keep));
  }

  private Behavior<Command> onRelease(Release m) {
    if (m.status() != Release.UNUSED) {
      invocationCount++;
    } else if (m.lessee() != null) {
      holders.givenBack(m.lessee());
    }
    Replica r = table.get(m.replica());
    if (r == null) {
      if (log.isDebugEnabled()) {
        log.debug("{}: release for unknown replica {} ignored", wiring.id(), m.replica());
      }
      return this;
    }
    r.released(m.lessee());
    if (r.state == ReplicaState.DRAINING && r.inFlight == 0) {
      stopReplica(r.id(), "drained");
      armAutoscaleTimer();
    } else {
      serveBuffer();
    }
    noteQuiet();
    return this;
  }

  /**
   * A gateway node's report on the slots it holds: its calls count as invocations and as activity;
   * slots it may not keep are recalled.
   */
  private Behavior<Command> onSlotsHeld(SlotsHeld m) {
    if (m.calls() > 0) {
      invocationCount += m.calls();
      lastStartedMillis = clock.millis();
    }
    holders.reported(m, table.all(), buffer.size());
    return this;
  }

  /** The leases of a node that left the cluster are released, as if its calls had ended. */
  private Behavior<Command> onNodeRemoved(NodeRemoved m) {
    holders.forget(m.node());
    if (dropLeasesOf(m.node()) == 0) {
      return this;
    }
    for (Replica r : List.copyOf(table.all())) {
      if (r.state == ReplicaState.DRAINING && r.inFlight == 0) {
        stopReplica(r.id(), "drained");
      }
    }
    serveBuffer();
    armAutoscaleTimer();
    noteQuiet();
    return this;
  }

  /** Takes back the slots leased to gateways on {@code node}; answers how many. */
  private int dropLeasesOf(Address node) {
    int dropped = 0;
    for (Replica r : table.all()) {
      dropped += r.dropLeasesOf(node);
    }
    if (dropped > 0) {
      log.warn(
          "{}: {} leases held by {}, which left the cluster, taken back",
          wiring.id(),
          dropped,
          node);
    }
    return dropped;
  }

  /** Leases to waiting requests, oldest first, while a replica has a free slot. */
  private void serveBuffer() {
    if (buffer.isEmpty()) {
      return;
    }
    long now = clock.millis();
    while (!buffer.isEmpty()) {
      RouteDecision d = Routing.route(table.all(), maxInflight, 0, buffer.capacity());
      if (!(d instanceof RouteDecision.ToReplica to)) {
        break;
      }
      LeaseBuffer.Waiting w = buffer.poll();
      if (w.deadlineMillis() <= now) {
        rejectExpired(w);
      } else {
        lease(table.get(to.replica()), w.replyTo(), false);
      }
    }
    stopSweepIfIdle();
  }

  // ---- Buffer deadlines ----

  private Behavior<Command> onExpireBuffered(ExpireBuffered m) {
    int n = buffer.expire(clock.millis(), this::rejectExpired);
    if (n > 0) {
      log.debug("{}: {} buffered requests expired", wiring.id(), n);
    }
    stopSweepIfIdle();
    noteQuiet();
    return this;
  }

  private void rejectExpired(LeaseBuffer.Waiting w) {
    w.replyTo()
        .tell(
            new Rejected(
                504,
                "no replica of "
                    + wiring.id()
                    + " was free within "
                    + GoDuration.format(w.timeout()),
                Duration.ZERO));
  }

  private void stopSweepIfIdle() {
    if (sweeping && buffer.isEmpty()) {
      timers.cancel(SWEEP_TIMER);
      sweeping = false;
    }
  }

  // ---- Platform events ----

  private Behavior<Command> onReplicaReady(ReplicaReady m) {
    Replica r = table.get(m.id());
    if (r == null || r.state != ReplicaState.STARTING) {
      log.debug("{}: ready from {} ignored (not starting here)", wiring.id(), m.id());
      return this;
    }
    r.state = ReplicaState.READY;
    r.host = m.endpoint().host();
    r.port = m.endpoint().port();
    keepAlive.startupObserved(Duration.ofMillis(clock.millis() - r.startedMillis));
    if (coldStartSince >= 0) {
      telemetry.coldStart(clock.millis() - coldStartSince);
      coldStartSince = -1;
    }
    startFailures = 0;
    log.debug("{}: {} ready at {}:{}", wiring.id(), m.id(), r.host, r.port);
    reconcile("replica " + m.id() + " ready");
    autoscale("replica ready");
    return this;
  }

  private Behavior<Command> onReplicaLost(ReplicaLost m) {
    Replica r = table.remove(m.id());
    if (r == null) {
      log.debug("{}: lost {} ignored (already gone): {}", wiring.id(), m.id(), m.reason());
      return this;
    }
    holders.recall(r.id(), "lost");
    if (r.state == ReplicaState.STARTING) {
      startFailed(r, m.reason());
    } else {
      log.warn(
          "{}: replica {} lost with {} in flight: {}", wiring.id(), r.id(), r.inFlight, m.reason());
    }
    reconcile("replica " + m.id() + " lost");
    autoscale("replica lost");
    noteQuiet();
    return this;
  }

  /** Backs off further starts; fails waiting requests at once when nothing can serve them. */
  private void startFailed(Replica r, String reason) {
    startFailures++;
    Duration backoff = settings.restartBackoff(startFailures);
    backoffPending = true;
    timers.startSingleTimer(BACKOFF_TIMER, BackoffOver.INSTANCE, backoff);
    log.warn(
        "{}: replica {} failed to start ({} in a row, next start in {}): {}",
        wiring.id(),
        r.id(),
        startFailures,
        GoDuration.format(backoff),
        reason);
    if (table.anyReady()) {
      return;
    }
    String why = "function " + wiring.id() + " could not start: " + reason;
    if (!buffer.isEmpty()) {
      log.debug(
          "{}: failing {} buffered requests: no replica is ready", wiring.id(), buffer.size());
      buffer.drainAll(w -> w.replyTo().tell(new Rejected(503, why, backoff)));
      stopSweepIfIdle();
    }
    if (desiredFromDemand) {
      setDesired(0, false, "start from zero failed; the next request tries again");
    }
  }

  private Behavior<Command> onReplicaStopped(ReplicaStopped m) {
    if (table.remove(m.id()) != null) {
      holders.recall(m.id(), "stopped by the platform");
      reconcile("replica " + m.id() + " stopped by the platform");
    }
    return this;
  }

  private Behavior<Command> onBackoffOver(BackoffOver m) {
    backoffPending = false;
    reconcile("restart backoff over");
    return this;
  }

  private Behavior<Command> onCheckDrains(CheckDrains m) {
    reconcile("drain deadline");
    return this;
  }

  // ---- Autoscaling ----

  private Behavior<Command> onEvaluateScale(EvaluateScale m) {
    autoscale("timer");
    return this;
  }

  /**
   * Asks the {@link ScalingPolicy} and applies a {@code ScaleTo} through {@link #setDesired}. A
   * pinned function (min == max) only wakes from zero, to one replica, as before autoscaling.
   */
  private void autoscale(String trigger) {
    if (scaling.pinned()) {
      if (desired == 0 && (!buffer.isEmpty() || asyncPending > 0)) {
        setDesired(1, true, "scale from zero: a request is waiting");
      }
    } else {
      evaluate(trigger);
    }
    armAutoscaleTimer();
  }

  private void evaluate(String trigger) {
    ScaleDecision d = autoscaler.evaluate(snapshot(), scaling);
    if (d instanceof ScaleDecision.ScaleTo to && to.replicas() != desired) {
      setDesired(
          to.replicas(),
          to.reason() == ScaleReason.BURST_FROM_ZERO,
          "autoscaler (" + trigger + "): " + to.reason() + ", " + to.detail());
      if (to.reason() == ScaleReason.IDLE_TO_ZERO) {
        armPrewarm();
      }
    } else if (autoscaler.reasonChanged() && log.isDebugEnabled()) {
      log.debug(
          "{}: autoscaler ({}) holds {}: {}, {}",
          wiring.id(),
          trigger,
          desired,
          d.reason(),
          d.detail());
    }
  }

  private LoadSnapshot snapshot() {
    return new LoadSnapshot(
        clock.instant(),
        desired,
        table.readyOf(record.version()),
        busyInFlight(),
        buffer.size(),
        invocationCount,
        Instant.ofEpochMilli(lastStartedMillis),
        pendingAsync());
  }

  /**
   * Calls in flight as load: the leases out, less the held slots that their nodes last reported
   * idle (a held slot stays counted in the replica table, which bounds concurrency).
   */
  private int busyInFlight() {
    return Math.max(0, table.totalInFlight() - holders.idle());
  }

  /** Async jobs queued for this function and not yet dispatched, as its queue last reported. */
  private int pendingAsync() {
    return asyncPending;
  }

  /**
   * A growing backlog is demand: evaluate when it wakes the function from zero or asks for more
   * replicas than wanted. A drained one may end the activity (keep-alive).
   */
  private Behavior<Command> onAsyncBacklog(AsyncBacklog m) {
    int before = asyncPending;
    asyncPending = Math.max(0, m.pending());
    if (asyncPending > before
        && ScalingPolicy.demandExceeds(
            scaling, desired, busyInFlight(), buffer.size() + asyncPending)) {
      if (desired == 0) {
        noteCall();
      }
      autoscale("async backlog " + asyncPending);
    } else if (asyncPending == 0 && before > 0) {
      noteQuiet();
    }
    return this;
  }

  /**
   * Runs the autoscaler's timer while the function is autoscaled and has replicas, wants some, or
   * has requests waiting; stops it otherwise, so an idle function at zero costs nothing.
   */
  private void armAutoscaleTimer() {
    boolean active = !scaling.pinned() && (desired > 0 || !table.isEmpty() || !buffer.isEmpty());
    if (active && !ticking) {
      timers.startTimerWithFixedDelay(
          AUTOSCALE_TIMER, EvaluateScale.INSTANCE, autoscaler.interval());
      ticking = true;
    } else if (!active && ticking) {
      timers.cancel(AUTOSCALE_TIMER);
      ticking = false;
    }
  }

  private Behavior<Command> onGetScaling(GetScaling m) {
    m.replyTo().tell(autoscaler.status(!scaling.pinned(), desired, keepAlive));
    return this;
  }

  // ---- Keep-alive and pre-warm (policy.keepalive) ----

  /** A call arrived: if the function was idle, the keep-alive observes the idle time. */
  private void noteCall() {
    if (keepAlive.active()) {
      return;
    }
    Optional<Duration> idle = keepAlive.callArrived(clock.instant());
    timers.cancel(PREWARM_TIMER);
    if (idle.isPresent() && log.isDebugEnabled()) {
      log.debug(
          "{}: call after {} idle, learned by keep-alive {}",
          wiring.id(),
          GoDuration.format(idle.get()),
          keepAlive.policyName());
    }
  }

  /** Nothing in flight or waiting any more: the activity ended; apply the keep-alive decision. */
  private void noteQuiet() {
    if (!keepAlive.active()
        || table.totalInFlight() > 0
        || !buffer.isEmpty()
        || pendingAsync() > 0) {
      return;
    }
    Instant now = clock.instant();
    Optional<KeepAliveDecision> d =
        keepAlive.activityEnded(now, scaling.zero() && !scaling.pinned() && desired > 0);
    if (d.isEmpty()) {
      return;
    }
    log.debug("{}: keep-alive {}: {}", wiring.id(), keepAlive.policyName(), d.get());
    if (!d.get().unloadAt().isAfter(now)) {
      autoscale("keep-alive: unload now");
    }
  }

  /** The function idled to zero: arm the one pre-warm timer if the decision asks for one. */
  private void armPrewarm() {
    Instant now = clock.instant();
    if (keepAlive.warming()) {
      log.debug("{}: pre-warm missed: no call by {}", wiring.id(), keepAlive.prewarmUntil());
    }
    Optional<Instant> startAt = keepAlive.unloaded(now);
    if (startAt.isEmpty()) {
      return;
    }
    Duration delay = Duration.between(now, startAt.get());
    timers.startSingleTimer(
        PREWARM_TIMER, StartPrewarm.INSTANCE, delay.isZero() ? Duration.ofMillis(1) : delay);
    log.debug(
        "{}: pre-warm armed: start a replica at {} (start-up time {}), keep it until {}",
        wiring.id(),
        startAt.get(),
        GoDuration.format(keepAlive.startup()),
        keepAlive.prewarmUntil());
  }

  private Behavior<Command> onStartPrewarm(StartPrewarm m) {
    if (desired != 0 || !buffer.isEmpty()) {
      keepAlive.cancelPrewarm();
      return this;
    }
    if (keepAlive.prewarmDue()) {
      setDesired(
          Math.max(1, scaling.min()),
          false,
          "pre-warm by keep-alive "
              + keepAlive.policyName()
              + ": a call is expected; back to zero at "
              + keepAlive.prewarmUntil()
              + " if none comes");
    }
    return this;
  }

  private void configureKeepAlive(FunctionRecord next) {
    KeepAlivePolicies.Choice c = KeepAlivePolicies.fromLabels(next.spec().labels());
    KeepAlivePolicy p;
    if (c instanceof KeepAlivePolicies.Chosen chosen) {
      p = chosen.policy();
    } else {
      p = new Fixed(scaling.zeroDuration());
      log.warn(
          "{}: invalid keep-alive labels, using {}: {}",
          wiring.id(),
          p.name(),
          ((KeepAlivePolicies.Invalid) c).errors());
    }
    if (keepAlive.configure(p)) {
      timers.cancel(PREWARM_TIMER);
      log.debug("{}: keep-alive policy {}", wiring.id(), p.name());
    }
  }

  // ---- Operator commands ----

  private Behavior<Command> onGetStatus(GetStatus m) {
    m.replyTo()
        .tell(
            new RuntimeStatus(
                true,
                desired,
                table.readyOf(record.version()),
                invocationCount,
                table.totalInFlight(),
                buffer.size()));
    return this;
  }

  private Behavior<Command> onScale(Scale m) {
    int n = Math.max(0, Math.min(m.replicas(), scaling.max()));
    autoscaler.requested(n, clock.instant());
    keepAlive.cancelPrewarm();
    timers.cancel(PREWARM_TIMER);
    setDesired(n, false, "scale requested");
    m.replyTo().tell(Done.getInstance());
    return this;
  }

  private Behavior<Command> onConfigure(Configure m) {
    reconfigure(m.record());
    m.replyTo().tell(Done.getInstance());
    return this;
  }

  /** The lookup answered after a Configure won the race: apply it only if it is newer. */
  private Behavior<Command> onLateLookup(LookedUp m) {
    if (m.failure() == null && m.record() != null) {
      m.record().ifPresent(this::reconfigure);
    }
    return this;
  }

  private void reconfigure(FunctionRecord next) {
    if (next.version() <= record.version()) {
      log.debug(
          "{}: version {} ignored, running {}", wiring.id(), next.version(), record.version());
      return;
    }
    define(next);
    int was = desired;
    desired = Math.max(scaling.min(), Math.min(desired, scaling.max()));
    if (was == 0 && desired > 0) {
      lastStartedMillis = clock.millis(); // woken from zero by the update
    }
    desiredFromDemand = false;
    reconcile("updated to version " + next.version());
  }

  private Behavior<Command> onRemove(Remove m) {
    if (m.version() < record.version()) {
      log.debug(
          "{}: remove of version {} ignored, running {}",
          wiring.id(),
          m.version(),
          record.version());
      m.replyTo().tell(Done.getInstance());
      return this;
    }
    String why = "function " + wiring.id() + " not found";
    timers.cancel(PREWARM_TIMER);
    holders.recallAll("function removed");
    buffer.drainAll(w -> w.replyTo().tell(new Rejected(404, why, Duration.ZERO)));
    for (Replica r : table.all()) {
      replicas.stop(r.id(), settings.stopGrace());
    }
    table.clear();
    // Retiring has no replicas to look after: nothing of this function may outlive it.
    replicas.close();
    log.debug("{}: removed (version {})", wiring.id(), m.version());
    m.replyTo().tell(Done.getInstance());
    return Retiring.start(getContext(), wiring, 404, why);
  }

  private Behavior<Command> onPostStop(PostStop signal) {
    replicas.close();
    return this;
  }

  // ---- Applying the Reconcile plan ----

  private void define(FunctionRecord next) {
    record = next;
    timeout = next.spec().timeout();
    timeoutMillis = timeout.toMillis();
    maxInflight = next.spec().maxInflight();
    scaling = next.spec().scaling();
    configureKeepAlive(next);
    telemetry.configured(scaling);
  }

  /**
   * Sets the desired replica count and reconciles. The single entry point for every source of a
   * count (min on deploy, Scale, scale from zero, the autoscaler).
   */
  private void setDesired(int n, boolean fromDemand, String reason) {
    log.debug("{}: desired {} -> {}: {}", wiring.id(), desired, n, reason);
    if (desired == 0 && n > 0) {
      // Woken from zero: idle time counts from now, not from the last call before the zero.
      lastStartedMillis = clock.millis();
      coldStartSince = fromDemand ? lastStartedMillis : -1;
    } else if (n == 0) {
      coldStartSince = -1;
    }
    desired = n;
    desiredFromDemand = fromDemand;
    reconcile(reason);
  }

  private void reconcile(String cause) {
    Instant now = clock.instant();
    List<ReconcileAction> plan = Reconcile.plan(desired, table.all(), record.version(), now);
    if (!plan.isEmpty()) {
      log.debug("{}: reconcile ({}), desired {}: {}", wiring.id(), cause, desired, plan);
    }
    for (ReconcileAction a : plan) {
      apply(a, now);
    }
    armDrainCheck(now);
    serveBuffer();
    armAutoscaleTimer();
  }

  private void apply(ReconcileAction a, Instant now) {
    if (a instanceof ReconcileAction.StopNow s) {
      stopReplica(s.replica(), s.reason());
    } else if (a instanceof ReconcileAction.Drain d) {
      Replica r = table.get(d.replica());
      r.state = ReplicaState.DRAINING;
      r.drainDeadline = now.plus(timeout);
      holders.recall(r.id(), "draining");
    } else if (a instanceof ReconcileAction.Undrain u) {
      Replica r = table.get(u.replica());
      r.state = ReplicaState.READY;
      r.drainDeadline = null;
    } else if (a instanceof ReconcileAction.Start s) {
      if (backoffPending) {
        log.debug("{}: start of {} deferred by restart backoff", wiring.id(), s.count());
        return;
      }
      for (int i = 0; i < s.count(); i++) {
        ReplicaId id = new ReplicaId(wiring.id().name() + "-" + ++replicaCounter);
        Replica r = new Replica(id, record.version());
        r.startedMillis = clock.millis();
        table.add(r);
        replicas.start(id, record.spec());
      }
    }
  }

  private void stopReplica(ReplicaId id, String reason) {
    table.remove(id);
    holders.recall(id, reason);
    log.debug("{}: stopping {}: {}", wiring.id(), id, reason);
    replicas.stop(id, settings.stopGrace());
  }

  /** Wakes the entity when the earliest drain deadline passes. */
  private void armDrainCheck(Instant now) {
    Instant deadline = table.earliestDrainDeadline();
    if (deadline == null) {
      timers.cancel(DRAIN_TIMER);
      return;
    }
    Duration delay = Duration.between(now, deadline);
    if (delay.compareTo(Duration.ofMillis(1)) < 0) {
      delay = Duration.ofMillis(1);
    }
    timers.startSingleTimer(DRAIN_TIMER, CheckDrains.INSTANCE, delay);
  }
}
