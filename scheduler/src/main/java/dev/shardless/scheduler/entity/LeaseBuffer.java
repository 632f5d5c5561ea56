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
  /** One waiting request. */
  record Waiting(ActorRef<LeaseReply> replyTo, long deadlineMillis, Duration timeout) {}

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
  void add(ActorRef<LeaseReply> replyTo, long deadlineMillis, Duration timeout) {
    if (queue.size() >= capacity) {
      throw new IllegalStateException("lease buffer full: " + capacity);
    }
    queue.addLast(new Waiting(replyTo, deadlineMillis, timeout));
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
