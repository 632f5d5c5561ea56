package dev.shardless.scheduler.entity;

import dev.shardless.scheduler.entity.FunctionEntity.LeaseReply;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Lease requests waiting for a slot, first come first served, at most {@code capacity}. Each has a
 * deadline (arrival + the function's timeout). Not thread-safe.
 */
final class LeaseBuffer {
  /**
   * One waiting request; {@code requestId} as its gateway chose it (0: none). Its reply-to changes
   * when the gateway asks again ({@link #redirect}).
   */
  static final class Waiting {
    private ActorRef<LeaseReply> replyTo;
    private final long requestId;
    private final long deadlineMillis;
    private final Duration timeout;

    Waiting(ActorRef<LeaseReply> replyTo, long requestId, long deadlineMillis, Duration timeout) {
      this.replyTo = replyTo;
      this.requestId = requestId;
      this.deadlineMillis = deadlineMillis;
      this.timeout = timeout;
    }

    ActorRef<LeaseReply> replyTo() {
      return replyTo;
    }

    long deadlineMillis() {
      return deadlineMillis;
    }

    Duration timeout() {
      return timeout;
    }
  }

  private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
  private final int capacity;

  LeaseBuffer(int capacity) {
    this.capacity = capacity;
  }

  int capacity() {
    return capacity;
  }

  int size() {
    return queue.size();
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  /** Appends; the caller has checked that there is room. */
  void add(ActorRef<LeaseReply> replyTo, long requestId, long deadlineMillis, Duration timeout) {
    if (queue.size() >= capacity) {
      throw new IllegalStateException("lease buffer full: " + capacity);
    }
    queue.addLast(new Waiting(replyTo, requestId, deadlineMillis, timeout));
  }

  /**
   * A request asked again: when one with {@code requestId} waits, {@code replyTo} takes the place
   * of its old reply-to (keeping its position and deadline) and this answers true. A linear scan:
   * only re-sent asks come here, at most one per request and gateway retry interval.
   */
  boolean redirect(long requestId, ActorRef<LeaseReply> replyTo) {
    if (requestId == 0) {
      return false;
    }
    for (Waiting w : queue) {
      if (w.requestId == requestId) {
        w.replyTo = replyTo;
        return true;
      }
    }
    return false;
  }

  /** The oldest waiting request, removed, or null. */
  Waiting poll() {
    return queue.pollFirst();
  }

  /** Removes every request whose deadline is at or before {@code nowMillis}, oldest first. */
  int expire(long nowMillis, Consumer<Waiting> onExpired) {
    int n = 0;
    for (Iterator<Waiting> it = queue.iterator(); it.hasNext(); ) {
      Waiting w = it.next();
      if (w.deadlineMillis() <= nowMillis) {
        it.remove();
        onExpired.accept(w);
        n++;
      }
    }
    return n;
  }

  /** Removes every request, oldest first. */
  void drainAll(Consumer<Waiting> each) {
    Waiting w;
    while ((w = queue.pollFirst()) != null) {
      each.accept(w);
    }
  }
}
