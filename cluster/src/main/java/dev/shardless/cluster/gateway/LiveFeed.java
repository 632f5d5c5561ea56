package dev.shardless.cluster.gateway;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shardless.persistence.registry.RegistryCatalog;
import dev.shardless.scheduler.entity.FunctionEntity;
import dev.shardless.scheduler.entity.FunctionEntity.RuntimeStatus;
import dev.shardless.scheduler.entity.FunctionEntity.ScalingChange;
import dev.shardless.scheduler.entity.FunctionEntity.ScalingStatus;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The dashboard's live stream ({@code GET /system/ui/events}, docs/api.md): a Server-Sent Events
 * response that carries, once a second, one {@code functions} event with every function of the
 * namespace: replicas desired and ready, in flight, buffered, the {@link LiveStats} numbers and the
 * autoscaler's recent decisions.
 *
 * <p>One timer for the whole node: each tick, for each namespace that has subscribers, the registry
 * is listed and each function's entity asked once ({@code GetStatus}, {@code GetScaling}); the
 * event is built once and offered to every subscriber's bounded queue. A new subscriber first gets
 * a {@code history} event: each function's replicas, in-flight and buffered of the last 300 ticks
 * (5 minutes) the node computed while anyone watched. A subscriber that reads too slowly loses
 * events (the queue drops new ones when full), never slows the others. A tick whose previous one
 * for the namespace has not finished is skipped. A new subscriber gets the last event at once.
 *
 * <p>Nothing here survives a restart: subscribers reconnect (the dashboard does so by itself).
 */
final class LiveFeed {
  private static final int QUEUE = 8;
  private static final int HISTORY = 300;
  private static final Duration TICK = Duration.ofSeconds(1);
  private static final ByteString HELLO = ByteString.fromString(": shardless live feed\n\n");

  private final ActorSystem<?> system;
  private final RegistryCatalog registry;
  private final ClusterSharding sharding;
  private final Executor ec;
  private final Duration askTimeout;
  private final LiveStats stats;
  private final Map<String, Subscribers> byNamespace = new ConcurrentHashMap<>();

  /**
   * One namespace's subscribers, its last event, whether a tick is computing it, and each
   * function's samples of the last {@link #HISTORY} ticks ({@code [time, desired, ready, inFlight,
   * buffered]}, guarded by {@code this}), sent to a new subscriber so its timeline starts full.
   */
  private static final class Subscribers {
    final Set<BoundedSourceQueue<ByteString>> queues = ConcurrentHashMap.newKeySet();
    final AtomicBoolean computing = new AtomicBoolean();
    final Map<String, ArrayDeque<long[]>> history = new HashMap<>();
    volatile ByteString last;

    synchronized void remember(Map<String, long[]> samples) {
      history.keySet().retainAll(samples.keySet());
      samples.forEach(
          (name, sample) -> {
            ArrayDeque<long[]> ring = history.computeIfAbsent(name, n -> new ArrayDeque<>());
            if (ring.size() == HISTORY) {
              ring.removeFirst();
            }
            ring.addLast(sample);
          });
    }

    synchronized ByteString historyEvent(String namespace) {
      ObjectNode body = FunctionJson.MAPPER.createObjectNode();
      body.put("namespace", namespace);
      ObjectNode functions = body.putObject("functions");
      history.forEach(
          (name, ring) -> {
            ArrayNode samples = functions.putArray(name);
            for (long[] sample : ring) {
              ArrayNode a = samples.addArray();
              for (long v : sample) {
                a.add(v);
              }
            }
          });
      return ByteString.fromString("event: history\ndata: " + body + "\n\n");
    }
  }

  LiveFeed(ActorSystem<?> system, RegistryCatalog registry, Duration askTimeout, LiveStats stats) {
    this.system = system;
    this.registry = registry;
    this.sharding = ClusterSharding.get(system);
    this.ec = system.executionContext();
    this.askTimeout = askTimeout;
    this.stats = stats;
    system.scheduler().scheduleWithFixedDelay(TICK, TICK, this::tick, system.executionContext());
  }

  /** A {@code text/event-stream} response that receives the namespace's events until closed. */
  HttpResponse subscribe(String namespace) {
    Subscribers subs = byNamespace.computeIfAbsent(namespace, ns -> new Subscribers());
    Pair<BoundedSourceQueue<ByteString>, Source<ByteString, NotUsed>> queued =
        Source.<ByteString>queue(QUEUE).preMaterialize(system);
    BoundedSourceQueue<ByteString> queue = queued.first();
    queue.offer(HELLO);
    queue.offer(subs.historyEvent(namespace));
    ByteString last = subs.last;
    if (last != null) {
      queue.offer(last);
    }
    subs.queues.add(queue);
    Source<ByteString, NotUsed> events =
        queued
            .second()
            .watchTermination(
                (mat, done) -> {
                  done.whenCompleteAsync((d, e) -> subs.queues.remove(queue), ec);
                  return mat;
                });
    return HttpResponse.create()
        .withEntity(
            HttpEntities.createChunked(MediaTypes.TEXT_EVENT_STREAM.toContentType(), events))
        .addHeader(RawHeader.create("Cache-Control", "no-cache"))
        .addHeader(RawHeader.create("X-Accel-Buffering", "no"));
  }

  private void tick() {
    byNamespace.forEach(
        (namespace, subs) -> {
          if (!subs.queues.isEmpty() && subs.computing.compareAndSet(false, true)) {
            event(namespace)
                .whenCompleteAsync(
                    (event, error) -> {
                      subs.computing.set(false);
                      if (event != null) {
                        subs.last = event.bytes();
                        subs.remember(event.samples());
                        publish(subs, event.bytes());
                      } else {
                        system.log().debug("live feed of {} failed: {}", namespace, error);
                      }
                    },
                    ec);
          }
        });
  }

  private static void publish(Subscribers subs, ByteString event) {
    for (BoundedSourceQueue<ByteString> q : subs.queues) {
      QueueOfferResult r = q.offer(event);
      if (r == QueueOfferResult.closed() || q.isCompleted()) {
        subs.queues.remove(q);
      }
    }
  }

  /** One function's numbers of this tick. */
  private record Row(FunctionRecord record, RuntimeStatus runtime, ScalingStatus scaling) {}

  /** One tick's event, and each function's sample for the history. */
  private record Tick(ByteString bytes, Map<String, long[]> samples) {}

  private CompletionStage<Tick> event(String namespace) {
    long time = System.currentTimeMillis();
    return registry
        .list(namespace)
        .thenComposeAsync(
            records -> {
              List<CompletableFuture<Row>> rows = new ArrayList<>(records.size());
              Set<FunctionId> deployed = new HashSet<>();
              for (FunctionRecord r : records) {
                deployed.add(r.spec().id());
                rows.add(row(r).toCompletableFuture());
              }
              stats.retainOnly(deployed, namespace);
              return CompletableFuture.allOf(rows.toArray(CompletableFuture[]::new))
                  .thenApplyAsync(done -> render(namespace, time, rows), ec);
            },
            ec);
  }

  private CompletionStage<Row> row(FunctionRecord r) {
    var entity = sharding.entityRefFor(FunctionEntity.TYPE_KEY, r.spec().id().entityId());
    CompletableFuture<RuntimeStatus> runtime =
        entity
            .<RuntimeStatus>ask(FunctionEntity.GetStatus::new, askTimeout)
            .exceptionallyAsync(e -> null, ec)
            .toCompletableFuture();
    CompletableFuture<ScalingStatus> scaling =
        entity
            .<ScalingStatus>ask(FunctionEntity.GetScaling::new, askTimeout)
            .exceptionallyAsync(e -> ScalingStatus.NONE, ec)
            .toCompletableFuture();
    return runtime.thenCombineAsync(scaling, (rt, sc) -> new Row(r, rt, sc), ec);
  }

  private Tick render(String namespace, long time, List<CompletableFuture<Row>> rows) {
    long nowSecond = System.nanoTime() / 1_000_000_000L;
    Map<String, long[]> samples = new HashMap<>();
    ObjectNode body = FunctionJson.MAPPER.createObjectNode();
    body.put("namespace", namespace);
    body.put("time", time);
    body.put("windowSeconds", LiveStats.WINDOW_SECONDS);
    ArrayNode functions = body.putArray("functions");
    for (CompletableFuture<Row> f : rows) {
      Row row = f.join();
      functions.add(function(row, nowSecond));
      RuntimeStatus rt = row.runtime();
      if (rt != null) {
        samples.put(
            row.record().spec().id().name(),
            new long[] {
              time, rt.desiredReplicas(), rt.readyReplicas(), rt.inFlight(), rt.buffered()
            });
      }
    }
    return new Tick(ByteString.fromString("event: functions\ndata: " + body + "\n\n"), samples);
  }

  private ObjectNode function(Row row, long nowSecond) {
    FunctionId id = row.record().spec().id();
    ObjectNode f = FunctionJson.MAPPER.createObjectNode();
    f.put("name", id.name());
    f.put("image", row.record().spec().image());
    RuntimeStatus rt = row.runtime();
    f.put("known", rt != null);
    f.put("desired", rt == null ? 0 : rt.desiredReplicas());
    f.put("ready", rt == null ? 0 : rt.readyReplicas());
    f.put("inFlight", rt == null ? 0 : rt.inFlight());
    f.put("buffered", rt == null ? 0 : rt.buffered());
    f.put("invocations", rt == null ? 0 : rt.invocationCount());
    LiveStats.Snapshot s = stats.snapshot(id, nowSecond);
    f.put("rps", round(s.rps()));
    f.put("p50Ms", round(s.p50Millis()));
    f.put("p99Ms", round(s.p99Millis()));
    f.put("errorRate", Math.round(s.errorRate() * 10_000) / 10_000.0);
    ScalingStatus sc = row.scaling();
    f.put("autoscaling", sc.autoscaling());
    f.put("keepAlive", sc.keepAlive());
    ArrayNode changes = f.putArray("recentChanges");
    for (ScalingChange c : sc.recentChanges()) {
      ObjectNode o = changes.addObject();
      o.put("at", c.atEpochMillis());
      o.put("from", c.from());
      o.put("to", c.to());
      o.put("reason", c.reason());
      o.put("detail", c.detail());
    }
    return f;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
