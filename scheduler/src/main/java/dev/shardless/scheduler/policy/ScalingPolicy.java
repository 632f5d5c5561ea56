package dev.shardless.scheduler.policy;

import dev.shardless.scheduler.model.ScalingSpec;
import dev.shardless.scheduler.policy.ScalingState.Observation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Decides a function's replica count from its recent load: fast up on bursts, slow down, and to
 * zero only when idle. Pure: time, observations and memory come in, a decision and the next memory
 * go out.
 *
 * <p><b>Load.</b> {@code capacity}: calls in flight plus waiting. {@code rps}: completions per
 * second over the window plus the waiting requests (a waiting request counts as one request per
 * second). Waiting is the buffered requests plus the async jobs queued and not yet dispatched
 * ({@link LoadSnapshot#waiting}), so an async backlog is demand like a sync burst. A replica takes
 * {@code e = target × target-proportion} of it, so a load {@code L} asks for {@code ceil(L / e)}
 * replicas.
 *
 * <p><b>Rules, in order.</b>
 *
 * <ol>
 *   <li>{@code min == max}: {@link ScaleReason#PINNED} hold.
 *   <li>At zero (desired 0): waiting requests ask for {@code ceil(waiting / e)} replicas at once
 *       ({@link ScaleReason#BURST_FROM_ZERO}, and panic starts); else hold.
 *   <li>{@code zero=true}, nothing in flight, buffered or pending, and the {@link IdleRule} says so
 *       (fixed: {@code zero-duration} since the last started call) → 0.
 *   <li>{@code stable = ceil(mean load over stable-window / e)}; {@code panic = ceil(max(mean load
 *       over panic-window, load now) / e)}. Panic triggers when {@code panic ≥ panic-threshold ×
 *       max(ready, 1)} and lasts until a stable window passes without a trigger.
 *   <li>Recommendation {@code r}: panicking, {@code max(stable, panic)}; calm, {@code max(stable,
 *       ceil(mean over panic-window / e))}; bounded to {@code [max(min, 1), max]}.
 *   <li>{@code r} above desired: scale up to {@code r} at once. Below: panicking, hold; calm, go
 *       down but never below the highest {@code r} recorded within scale-down-window, nor below a
 *       count an operator asked for within it ({@link ScalingState#withRequest}).
 * </ol>
 *
 * <p><b>Worked example</b> ({@code capacity}, target 2, proportion 0.9 so {@code e = 1.8}, min 1,
 * max 4, threshold 2, 1 ready replica, samples every 2 s). 12 calls arrive and stay in flight: the
 * next evaluation sees load now 12, {@code panic = ceil(12 / 1.8) = 7 ≥ 2 × 1}: panic, {@code r =
 * 7}, bounded to 4 → ScaleTo(4, PANIC). At 60 s the load drops to 2 in flight: the 60 s mean still
 * asks for 4 until about 100 s; then {@code r} falls to 3 and 2, but the 4s recommended within the
 * 60 s down-window hold the count until 158 s (→ 3, LOAD_DOWN) and 170 s (→ 2), each removed
 * replica drained first. No call for {@code zero-duration} with {@code zero=true}: ScaleTo(0,
 * IDLE_TO_ZERO). The next call is buffered: {@code ceil(1 / 1.8) = 1} → ScaleTo(1,
 * BURST_FROM_ZERO); 9 calls at once would have asked for 5, bounded to 4.
 */
public final class ScalingPolicy {
  private static final double EPSILON = 1e-9;

  private final AutoscaleSettings settings;
  private final IdleRule idleRule;

  /** The decision and the memory to pass to the next evaluation. */
  public record Outcome(ScaleDecision decision, ScalingState state) {}

  public ScalingPolicy(AutoscaleSettings settings, IdleRule idleRule) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.idleRule = Objects.requireNonNull(idleRule, "idleRule");
  }

  public AutoscaleSettings settings() {
    return settings;
  }

  /**
   * Cheap check for the entity's hot path (no allocation): would the requests in flight and
   * buffered now ask for more replicas than {@code desired}? Used to evaluate on buffer growth only
   * when it can change the count.
   */
  public static boolean demandExceeds(ScalingSpec spec, int desired, int inFlight, int buffered) {
    if (desired == 0) {
      return buffered > 0;
    }
    if (spec.pinned() || desired >= spec.max()) {
      return false;
    }
    double load = spec.type() == ScalingSpec.LoadType.CAPACITY ? inFlight + buffered : buffered;
    return replicasFor(load, perReplica(spec)) > desired;
  }

  /** The decision for {@code now} given the memory {@code state}. */
  public Outcome decide(ScalingState state, LoadSnapshot now, ScalingSpec spec) {
    if (spec.pinned()) {
      return new Outcome(
          new ScaleDecision.Hold(ScaleReason.PINNED, "min == max == " + spec.min()), state);
    }
    if (now.desired() == 0) {
      return fromZero(state, now, spec);
    }
    if (spec.zero() && !now.hasWork() && idleRule.unloadNow(now.lastStarted(), now.at(), spec)) {
      return new Outcome(
          new ScaleDecision.ScaleTo(
              0,
              ScaleReason.IDLE_TO_ZERO,
              "no invocation started since " + now.lastStarted() + ", nothing in flight"),
          ScalingState.EMPTY);
    }
    return windowed(state, now, spec);
  }

  private Outcome fromZero(ScalingState state, LoadSnapshot now, ScalingSpec spec) {
    if (now.waiting() == 0) {
      return new Outcome(
          new ScaleDecision.Hold(ScaleReason.IDLE_AT_ZERO, "at zero, nothing waiting"), state);
    }
    int n = bound(replicasFor(now.waiting(), perReplica(spec)), spec);
    Observation o = new Observation(now.at(), now.inFlight(), now.waiting(), now.completions(), n);
    return new Outcome(
        new ScaleDecision.ScaleTo(
            n,
            ScaleReason.BURST_FROM_ZERO,
            now.waiting() + " waiting at zero, " + fmt(perReplica(spec)) + " per replica"),
        state.next(List.of(o), now.at()));
  }

  private Outcome windowed(ScalingState state, LoadSnapshot now, ScalingSpec spec) {
    Instant t = now.at();
    List<Observation> kept = trim(state.history(), t);
    Observation cur = new Observation(t, now.inFlight(), now.waiting(), now.completions(), 0);
    List<Observation> all = new ArrayList<>(kept);
    all.add(cur);
    double e = perReplica(spec);
    double stableLoad = meanLoad(all, t.minus(settings.stableWindow()), spec.type());
    double panicLoad = meanLoad(all, t.minus(settings.panicWindow()), spec.type());
    double nowLoad = nowLoad(all, now, spec.type());
    int stable = replicasFor(stableLoad, e);
    int panic = replicasFor(Math.max(panicLoad, nowLoad), e);
    boolean trigger = panic >= settings.panicThreshold() * Math.max(now.ready(), 1);
    Instant lastPanic = trigger ? t : state.lastPanic();
    boolean panicking = lastPanic != null && t.isBefore(lastPanic.plus(settings.stableWindow()));
    int r =
        bound(
            panicking ? Math.max(stable, panic) : Math.max(stable, replicasFor(panicLoad, e)),
            spec);
    String loads =
        "load stable "
            + fmt(stableLoad)
            + ", panic "
            + fmt(panicLoad)
            + ", now "
            + fmt(nowLoad)
            + " at "
            + fmt(e)
            + " per replica: recommend "
            + r;
    int desired = now.desired();
    int n;
    ScaleReason why;
    if (r > desired) {
      n = r;
      why = panicking ? ScaleReason.PANIC : ScaleReason.LOAD_UP;
    } else if (r == desired) {
      n = desired;
      why = ScaleReason.STEADY;
    } else if (panicking) {
      n = bound(desired, spec);
      why = ScaleReason.PANIC_HOLD;
      loads += "; panicking until " + lastPanic.plus(settings.stableWindow());
    } else {
      int floor = Math.max(r, highestRecommended(kept, t));
      if (state.requestedAt() != null
          && state.requestedAt().isAfter(t.minus(settings.scaleDownWindow()))) {
        floor = Math.max(floor, state.requested());
      }
      n = bound(Math.min(desired, floor), spec);
      why = n < desired ? ScaleReason.LOAD_DOWN : ScaleReason.DOWN_WINDOW;
      loads += "; down-window floor " + floor;
    }
    ScaleDecision d =
        n == desired
            ? new ScaleDecision.Hold(why, loads)
            : new ScaleDecision.ScaleTo(n, why, loads + " (was " + desired + ")");
    return new Outcome(d, state.next(remember(kept, cur, r), lastPanic));
  }

  /** Appends {@code cur} when spaced at least half an interval from the last kept one. */
  private List<Observation> remember(List<Observation> kept, Observation cur, int r) {
    List<Observation> next = new ArrayList<>(kept.size() + 1);
    next.addAll(kept);
    Duration half = settings.evaluationInterval().dividedBy(2);
    Observation last = kept.isEmpty() ? null : kept.get(kept.size() - 1);
    if (last == null || !cur.at().isBefore(last.at().plus(half))) {
      next.add(new Observation(cur.at(), cur.inFlight(), cur.buffered(), cur.completions(), r));
    } else if (r > last.recommended()) {
      // Too close to the last sample to keep as one; keep its recommendation for the down-window.
      next.set(
          next.size() - 1,
          new Observation(last.at(), last.inFlight(), last.buffered(), last.completions(), r));
    }
    return next;
  }

  private List<Observation> trim(List<Observation> history, Instant t) {
    Duration longest =
        settings.stableWindow().compareTo(settings.scaleDownWindow()) >= 0
            ? settings.stableWindow()
            : settings.scaleDownWindow();
    Instant from = t.minus(longest);
    int i = 0;
    while (i < history.size() && !history.get(i).at().isAfter(from)) {
      i++;
    }
    return history.subList(i, history.size());
  }

  private int highestRecommended(List<Observation> kept, Instant t) {
    Instant from = t.minus(settings.scaleDownWindow());
    int highest = 0;
    for (Observation o : kept) {
      if (o.at().isAfter(from)) {
        highest = Math.max(highest, o.recommended());
      }
    }
    return highest;
  }

  /** Mean load of the observations after {@code from} (the last one is always included). */
  private static double meanLoad(List<Observation> all, Instant from, ScalingSpec.LoadType type) {
    int first = all.size() - 1;
    while (first > 0 && all.get(first - 1).at().isAfter(from)) {
      first--;
    }
    double buffered = 0;
    double concurrent = 0;
    for (int i = first; i < all.size(); i++) {
      buffered += all.get(i).buffered();
      concurrent += all.get(i).inFlight() + all.get(i).buffered();
    }
    int n = all.size() - first;
    if (type == ScalingSpec.LoadType.CAPACITY) {
      return concurrent / n;
    }
    return rate(all.get(first), all.get(all.size() - 1)) + buffered / n;
  }

  private double nowLoad(List<Observation> all, LoadSnapshot now, ScalingSpec.LoadType type) {
    if (type == ScalingSpec.LoadType.CAPACITY) {
      return now.inFlight() + now.waiting();
    }
    Instant from = now.at().minus(settings.panicWindow());
    int first = all.size() - 1;
    while (first > 0 && all.get(first - 1).at().isAfter(from)) {
      first--;
    }
    return rate(all.get(first), all.get(all.size() - 1)) + now.waiting();
  }

  /** Completions per second between two observations; 0 when they are at the same time. */
  private static double rate(Observation from, Observation to) {
    long millis = Duration.between(from.at(), to.at()).toMillis();
    if (millis <= 0) {
      return 0;
    }
    return Math.max(0, to.completions() - from.completions()) * 1000.0 / millis;
  }

  /** Load one replica should carry: {@code target × target-proportion}. */
  static double perReplica(ScalingSpec spec) {
    return Math.max(EPSILON, spec.target() * spec.targetProportion());
  }

  /** {@code ceil(load / perReplica)}, tolerant of floating-point noise (3.6 / 1.8 is 2). */
  static int replicasFor(double load, double perReplica) {
    if (load <= 0) {
      return 0;
    }
    double n = Math.ceil(load / perReplica - EPSILON);
    return n >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) n;
  }

  /** Bounded to {@code [max(min, 1), max]}: the autoscaler alone never chooses zero. */
  private static int bound(int n, ScalingSpec spec) {
    return Math.max(Math.max(spec.min(), 1), Math.min(n, spec.max()));
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%.2f", d);
  }
}
