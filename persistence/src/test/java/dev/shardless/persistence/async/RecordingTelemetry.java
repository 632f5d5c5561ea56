package dev.shardless.persistence.async;

import dev.shardless.scheduler.model.FunctionId;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link QueueTelemetry} that keeps the last depth and counts the rest, for any thread to read.
 */
final class RecordingTelemetry implements QueueTelemetry, QueueTelemetry.QueueMeter {
  final AtomicInteger retried = new AtomicInteger();
  final AtomicInteger deadLettered = new AtomicInteger();
  final AtomicInteger callbacksFailed = new AtomicInteger();
  final AtomicInteger maxDepth = new AtomicInteger();
  volatile int depth;
  volatile long oldestAcceptedMillis;

  @Override
  public QueueMeter queueOf(FunctionId function) {
    return this;
  }

  @Override
  public void depth(int unfinished, long oldest) {
    depth = unfinished;
    oldestAcceptedMillis = oldest;
    maxDepth.accumulateAndGet(unfinished, Math::max);
  }

  @Override
  public void retried() {
    retried.incrementAndGet();
  }

  @Override
  public void deadLettered() {
    deadLettered.incrementAndGet();
  }

  @Override
  public void callbackFailed() {
    callbacksFailed.incrementAndGet();
  }
}
