package dev.shardless.cluster.gateway;

import dev.shardless.scheduler.entity.FunctionEntity.Command;
import dev.shardless.scheduler.entity.FunctionEntity.Leased;
import dev.shardless.scheduler.model.ReplicaId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The slots one gateway node holds of one function: leases it keeps after their call and reuses for
 * the next calls, so that a call through a node that does not host the function's entity needs no
 * round trip to it. Pure bookkeeping with time passed in; not thread-safe ({@link SlotHolder} locks
 * it).
 *
 * <p>A slot is busy (a call uses it) or idle. Idle slots are reused most recently used first, so
 * that what a burst left over idles out from the other end and goes back ({@link #expire}). A
 * recalled slot is never reused: it goes back at once when idle, or when its call ends. Every call
 * completed on a held slot is counted until the next {@link #reports}, which tell each entity what
 * the node holds of it.
 */
final class SlotPool {
  /** One held slot. */
  static final class Held {
    private final SlotPool pool;
    private final Leased lease;
    private boolean busy = true;
    private boolean recalled;
    private long idleSinceNanos;
    private long calls;

    private Held(SlotPool pool, Leased lease) {
      this.pool = pool;
      this.lease = lease;
    }

    Leased lease() {
      return lease;
    }

    /** The pool that holds it. */
    SlotPool pool() {
      return pool;
    }
  }

  /**
   * What the node holds of one entity incarnation: the calls made on its slots since the last
   * report, how many of its slots are idle now, and one replica per slot held.
   */
  record Report(ActorRef<Command> entity, long calls, int idle, List<ReplicaId> replicas) {}

  /** Idle slots, the most recently used first. */
  private final ArrayDeque<Held> idle = new ArrayDeque<>();

  /** Every slot held, idle or busy (identity set: removal costs O(1)). */
  private final Set<Held> held = new LinkedHashSet<>();

  /** Calls made on slots already given back and not yet reported, by entity. */
  private final Map<ActorRef<Command>, long[]> unreported = new HashMap<>(2);

  /** Set when the pool was found empty and dropped: it takes no slot any more. */
  private boolean retired;

  /** An idle slot for the next call, now busy; null when none is idle. */
  Held take() {
    Held h = idle.pollFirst();
    if (h != null) {
      h.busy = true;
    }
    return h;
  }

  /** Holds a slot just granted, busy with its first call; null when the pool is retired. */
  Held adopt(Leased lease) {
    if (retired) {
      return null;
    }
    Held h = new Held(this, lease);
    held.add(h);
    return h;
  }

  /**
   * The call on {@code h} ended. Answers true when the slot stays held (idle since {@code
   * nowNanos}), false when it must go back to its entity now: it was recalled, or {@code keep} is
   * false (the call failed in a way that leaves the slot in doubt).
   */
  boolean done(Held h, boolean keep, long nowNanos) {
    h.busy = false;
    h.calls++;
    if (h.recalled || !keep) {
      drop(h);
      return false;
    }
    h.idleSinceNanos = nowNanos;
    idle.addFirst(h);
    return true;
  }

  /**
   * Recalls the slots whose lease matches: none is reused again. Answers the idle ones, which go
   * back now; busy ones go back when their call ends ({@link #done} answers false).
   */
  List<Held> recall(Predicate<Leased> which) {
    List<Held> back = List.of();
    for (Held h : held) {
      if (h.recalled || !which.test(h.lease)) {
        continue;
      }
      h.recalled = true;
      if (!h.busy) {
        if (back.isEmpty()) {
          back = new ArrayList<>();
        }
        back.add(h);
      }
    }
    if (!back.isEmpty()) {
      idle.removeIf(h -> h.recalled); // one pass, however many go back
      for (Held h : back) {
        drop(h);
      }
    }
    return back;
  }

  /** The slots of {@code entity}, on {@code replica} only when it is not null. */
  static Predicate<Leased> of(ActorRef<Command> entity, ReplicaId replica) {
    return l -> l.entity().equals(entity) && (replica == null || l.replica().equals(replica));
  }

  /** Idle slots unused for {@code holdNanos} or more, oldest first: they go back now. */
  List<Held> expire(long nowNanos, long holdNanos) {
    List<Held> back = List.of();
    Held h;
    while ((h = idle.peekLast()) != null && nowNanos - h.idleSinceNanos >= holdNanos) {
      idle.pollLast();
      drop(h);
      if (back.isEmpty()) {
        back = new ArrayList<>();
      }
      back.add(h);
    }
    return back;
  }

  /**
   * One report per entity of which the node holds slots or made calls since the last reports; the
   * call counts start again from zero.
   */
  List<Report> reports() {
    if (held.isEmpty() && unreported.isEmpty()) {
      return List.of();
    }
    Map<ActorRef<Command>, long[]> calls = new LinkedHashMap<>(unreported);
    Map<ActorRef<Command>, List<ReplicaId>> replicas = new LinkedHashMap<>();
    Map<ActorRef<Command>, int[]> idleOf = new HashMap<>();
    unreported.clear();
    for (Held h : held) {
      calls.computeIfAbsent(h.lease.entity(), e -> new long[1])[0] += h.calls;
      h.calls = 0;
      replicas.computeIfAbsent(h.lease.entity(), e -> new ArrayList<>()).add(h.lease.replica());
      if (!h.busy) {
        idleOf.computeIfAbsent(h.lease.entity(), e -> new int[1])[0]++;
      }
    }
    List<Report> out = new ArrayList<>(calls.size());
    calls.forEach(
        (entity, n) ->
            out.add(
                new Report(
                    entity,
                    n[0],
                    idleOf.containsKey(entity) ? idleOf.get(entity)[0] : 0,
                    replicas.getOrDefault(entity, List.of()))));
    return out;
  }

  /**
   * Retires the pool when it holds nothing and has nothing to report: it then adopts no slot, so
   * that its owner can drop it (a new pool takes its place on the next grant). Answers whether it
   * retired.
   */
  boolean retireIfEmpty() {
    if (held.isEmpty() && unreported.isEmpty()) {
      retired = true;
    }
    return retired;
  }

  /** Slots held now, idle or busy. */
  int size() {
    return held.size();
  }

  /** Slots idle now. */
  int idle() {
    return idle.size();
  }

  private void drop(Held h) {
    held.remove(h);
    if (h.calls > 0) {
      unreported.computeIfAbsent(h.lease.entity(), e -> new long[1])[0] += h.calls;
      h.calls = 0;
    }
  }
}
