package dev.shardless.scheduler.entity;

import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.port.FunctionReplicas;
import dev.shardless.scheduler.port.ReplicaEndpoint;
import dev.shardless.scheduler.port.ReplicaEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Records what the entity asks of its replicas and lets the test play the platform's answers. Calls
 * arrive on the entity's thread; the test reads them after a status round trip (the entity handles
 * messages in order, so everything before it has been recorded) or with {@link #nextStart()} when a
 * timer triggers the call.
 */
final class RecordingReplicas implements FunctionReplicas {
  record Started(ReplicaId id, FunctionSpec spec) {}

  private final ReplicaEvents events;
  private final BlockingQueue<Started> starts = new LinkedBlockingQueue<>();
  private final BlockingQueue<ReplicaId> stops = new LinkedBlockingQueue<>();
  private final List<Started> allStarts = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  RecordingReplicas(ReplicaEvents events) {
    this.events = events;
  }

  @Override
  public void start(ReplicaId id, FunctionSpec spec) {
    Started s = new Started(id, spec);
    synchronized (allStarts) {
      allStarts.add(s);
    }
    starts.add(s);
  }

  @Override
  public void stop(ReplicaId id, Duration grace) {
    stops.add(id);
  }

  @Override
  public void close() {
    closed.set(true);
  }

  /** Waits for the next start the entity asks for. */
  Started nextStart() {
    return take(starts, "start");
  }

  /** Waits for the next stop the entity asks for. */
  ReplicaId nextStop() {
    return take(stops, "stop");
  }

  /** Starts asked for and not yet taken with {@link #nextStart()}. */
  int pendingStarts() {
    return starts.size();
  }

  int pendingStops() {
    return stops.size();
  }

  int totalStarts() {
    synchronized (allStarts) {
      return allStarts.size();
    }
  }

  boolean closed() {
    return closed.get();
  }

  void ready(ReplicaId id) {
    events.ready(id, new ReplicaEndpoint("127.0.0.1", 9000 + Integer.parseInt(suffix(id))));
  }

  void lost(ReplicaId id, String reason) {
    events.lost(id, reason);
  }

  void stopped(ReplicaId id) {
    events.stopped(id);
  }

  private static String suffix(ReplicaId id) {
    return id.value().substring(id.value().lastIndexOf('-') + 1);
  }

  private static <T> T take(BlockingQueue<T> q, String what) {
    try {
      T t = q.poll(5, TimeUnit.SECONDS);
      if (t == null) {
        throw new AssertionError("the entity asked for no " + what);
      }
      return t;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
