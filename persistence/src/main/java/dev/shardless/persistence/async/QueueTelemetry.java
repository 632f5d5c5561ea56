package dev.shardless.persistence.async;

import dev.shardless.scheduler.model.FunctionId;

/**
 * Port: what a function's async queue reports for metrics (its depth, the age of its oldest job,
 * retries, dead letters and callbacks given up). The node implements it with Kamon.
 *
 * <p>Every method is called on the queue's actor thread: implementations must return at once, never
 * block, and allocate nothing once a function's instruments exist.
 */
public interface QueueTelemetry {
  /** Records nothing (tests, metrics off). */
  QueueTelemetry NONE = function -> QueueMeter.NONE;

  /** The recorder of one function's queue, asked once by each incarnation. */
  QueueMeter queueOf(FunctionId function);

  /** One queue's recorder. */
  interface QueueMeter {
    /** Records nothing. */
    QueueMeter NONE = new QueueMeter() {};

    /**
     * The queue holds {@code unfinished} jobs (queued, running or waiting for a retry); the oldest
     * of them was accepted at {@code oldestAcceptedMillis} (epoch ms; 0 when there is none). Called
     * after every change; the oldest is recomputed at most once a second, so it may lag by that
     * much. 0 jobs when the queue stops on this node (it may resume on another).
     */
    default void depth(int unfinished, long oldestAcceptedMillis) {}

    /** A failed attempt will be retried (the job waits for its retry's delay). */
    default void retried() {}

    /** A job went to the dead letters. */
    default void deadLettered() {}

    /** A job's callback was given up after its last delivery attempt failed. */
    default void callbackFailed() {}
  }
}
