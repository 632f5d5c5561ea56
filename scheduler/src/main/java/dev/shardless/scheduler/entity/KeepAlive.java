package dev.shardless.scheduler.entity;

import dev.shardless.scheduler.model.ScalingSpec;
import dev.shardless.scheduler.policy.IdleRule;
import dev.shardless.scheduler.policy.keepalive.Fixed;
import dev.shardless.scheduler.policy.keepalive.IdleTimeHistogram;
import dev.shardless.scheduler.policy.keepalive.KeepAliveDecision;
import dev.shardless.scheduler.policy.keepalive.KeepAlivePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * The entity's side of its function's {@link KeepAlivePolicy}: keeps the learned {@link
 * IdleTimeHistogram}, the last decision, the pre-warm in progress and the observed start-up times,
 * and answers the scaling policy's {@link IdleRule}. Mutable and confined to the entity's actor.
 *
 * <p>Activity: a call that arrives while nothing is in flight or buffered starts it (and its idle
 * time since the last activity end is observed); the entity ends it when the last call in flight
 * completes, and then asks the policy. {@link #unloadNow}: {@code fixed} keeps {@link
 * IdleRule#FIXED} exactly (zero-duration since the last started call); a learning policy unloads at
 * the decision's {@code unloadAt}, a pre-warmed replica at {@code prewarmUntil}, and falls back to
 * {@link IdleRule#FIXED} before the function's first activity has ended.
 *
 * <p>Pre-warm life: {@code NONE} → (unloaded on an {@code UnloadThenPrewarm}) {@code ARMED}, one
 * timer pending → (timer) {@code WARMING}, a replica started → a call arrives (hit) or the function
 * goes back to zero at {@code prewarmUntil} (miss) → {@code NONE}.
 *
 * <p><b>Lost on restart or rebalance</b> with the incarnation: the learned histogram, the start-up
 * times and the counts. The policy then relearns from scratch (adaptive keeps the replica for its
 * learning keep-alive until two idle times are seen again), which costs idle time, never
 * correctness.
 */
final class KeepAlive implements IdleRule {
  /** Start-up time assumed until one is observed: conservative for a local process. */
  static final Duration DEFAULT_STARTUP = Duration.ofSeconds(1);

  /** Start-up times kept; the slowest of them is used, so a pre-warm is rather early than late. */
  private static final int STARTUPS_KEPT = 5;

  private enum Prewarm {
    NONE,
    ARMED,
    WARMING
  }

  private final ArrayDeque<Duration> startups = new ArrayDeque<>();
  private KeepAlivePolicy policy;
  private IdleTimeHistogram learned;
  private boolean active;
  private Instant lastActivityEnd;
  private KeepAliveDecision decision;
  private Prewarm prewarm = Prewarm.NONE;
  private Instant prewarmUntil;
  private long prewarms;
  private long hits;
  private long misses;

  KeepAlive(KeepAlivePolicy policy) {
    this.policy = policy;
    this.learned = policy.initialState();
  }

  /** Uses {@code next} from now on; a different policy starts learning afresh. */
  boolean configure(KeepAlivePolicy next) {
    if (next.equals(policy)) {
      return false;
    }
    policy = next;
    learned = next.initialState();
    decision = null;
    prewarm = Prewarm.NONE;
    return true;
  }

  String policyName() {
    return policy.name();
  }

  /** True from a call's arrival until nothing is in flight or buffered (the hot path asks). */
  boolean active() {
    return active;
  }

  /** True while a pre-warmed replica waits for its call. */
  boolean warming() {
    return prewarm == Prewarm.WARMING;
  }

  /**
   * A call arrived. When nothing was active, observes the idle time since the last activity end
   * (empty when none ended yet) and settles a pre-warm: a warming one is a hit, an armed one is
   * dropped (the caller cancels its timer).
   */
  Optional<Duration> callArrived(Instant now) {
    if (active) {
      return Optional.empty();
    }
    active = true;
    if (prewarm == Prewarm.WARMING) {
      hits++;
    }
    prewarm = Prewarm.NONE;
    decision = null;
    if (lastActivityEnd == null) {
      return Optional.empty();
    }
    Duration idle = Duration.between(lastActivityEnd, now);
    learned = policy.observe(learned, idle);
    return Optional.of(idle);
  }

  /**
   * Nothing is in flight or buffered any more. Returns the policy's decision when it has one to
   * apply: only for a learning policy and when the function may idle to zero ({@code mayUnload}).
   */
  Optional<KeepAliveDecision> activityEnded(Instant now, boolean mayUnload) {
    if (!active) {
      return Optional.empty();
    }
    active = false;
    lastActivityEnd = now;
    decision = mayUnload && learns() ? policy.decide(learned, now, now) : null;
    return Optional.ofNullable(decision);
  }

  @Override
  public boolean unloadNow(Instant lastStarted, Instant now, ScalingSpec spec) {
    if (!learns()) {
      return IdleRule.FIXED.unloadNow(lastStarted, now, spec);
    }
    if (prewarm == Prewarm.WARMING) {
      return !now.isBefore(prewarmUntil);
    }
    if (decision != null) {
      return !now.isBefore(decision.unloadAt());
    }
    return IdleRule.FIXED.unloadNow(lastStarted, now, spec);
  }

  /**
   * The function idled to zero. A pre-warm that found no call is a miss. An {@code
   * UnloadThenPrewarm} decision arms the pre-warm: the answer is when to start its replica, {@code
   * prewarmAt} minus the start-up time (not before {@code now}).
   */
  Optional<Instant> unloaded(Instant now) {
    if (prewarm == Prewarm.WARMING) {
      misses++;
      prewarm = Prewarm.NONE;
      decision = null;
      return Optional.empty();
    }
    if (decision instanceof KeepAliveDecision.UnloadThenPrewarm p && now.isBefore(p.prewarmAt())) {
      prewarm = Prewarm.ARMED;
      prewarmUntil = p.prewarmUntil();
      Instant startAt = p.prewarmAt().minus(startup());
      return Optional.of(startAt.isAfter(now) ? startAt : now);
    }
    decision = null;
    return Optional.empty();
  }

  /** The pre-warm timer fired: true when a pre-warm is armed (it now counts as started). */
  boolean prewarmDue() {
    if (prewarm != Prewarm.ARMED) {
      return false;
    }
    prewarm = Prewarm.WARMING;
    prewarms++;
    return true;
  }

  /** Something else decided the replica count (an operator, an update): no pre-warm any more. */
  void cancelPrewarm() {
    prewarm = Prewarm.NONE;
  }

  Instant prewarmUntil() {
    return prewarmUntil;
  }

  /** One of the function's replicas took {@code d} from start to ready. */
  void startupObserved(Duration d) {
    if (startups.size() == STARTUPS_KEPT) {
      startups.pollFirst();
    }
    startups.addLast(d.isNegative() ? Duration.ZERO : d);
  }

  /** The slowest recent start-up time, or {@link #DEFAULT_STARTUP} before any was observed. */
  Duration startup() {
    return startups.stream().max(Duration::compareTo).orElse(DEFAULT_STARTUP);
  }

  long prewarms() {
    return prewarms;
  }

  long hits() {
    return hits;
  }

  long misses() {
    return misses;
  }

  private boolean learns() {
    return !(policy instanceof Fixed);
  }
}
