package dev.shardless.cluster.gateway;

import dev.shardless.scheduler.entity.FunctionEntity.RuntimeStatus;
import dev.shardless.scheduler.model.FunctionId;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import kamon.Kamon;
import kamon.metric.Counter;
import kamon.metric.Gauge;
import kamon.metric.Histogram;
import kamon.metric.MeasurementUnit;
import kamon.metric.Metric;
import kamon.tag.TagSet;
import org.apache.pekko.japi.function.Function;

/**
 * The OpenFaaS gateway metrics of synchronous invocations, recorded in Kamon under names that the
 * Prometheus reporter exports exactly as OpenFaaS does (docs/observability.md):
 *
 * <ul>
 *   <li>{@code gateway_function_invocation_total{function_name,code}}: Kamon counter {@code
 *       gateway_function_invocation} (the reporter appends {@code _total});
 *   <li>{@code gateway_functions_seconds{function_name,code}}: Kamon histogram {@code
 *       gateway_functions} in nanoseconds (the reporter appends {@code _seconds} and scales);
 *   <li>{@code gateway_function_invocation_started{function_name}} and {@code
 *       gateway_function_invocation_inflight{function_name}}: Kamon gauges, set from {@link
 *       LongAdder}s by {@link #publish()} on a timer. A Kamon counter would be exported with a
 *       {@code _total} suffix, so {@code started} is a gauge holding a cumulative count ({@code
 *       rate()} works on it as on a counter).
 *   <li>{@code gateway_service_count{function_name}}: Kamon gauge, the ready replicas the
 *       function's entity reports, asked on the metrics tick (one ask per function per tick, off
 *       the invocation path);
 *   <li>Shardless's own, from the same answer: {@code
 *       shardless_function_replicas_desired{function_name}}, {@code
 *       shardless_function_replicas_ready{function_name}} (the same value as {@code
 *       gateway_service_count}, next to desired under Shardless's prefix) and {@code
 *       shardless_function_buffered_requests{function_name}} (requests waiting for a slot).
 * </ul>
 *
 * <p>Hot-path cost (DESIGN.md §6): one map lookup per call, two {@link LongAdder} updates at the
 * start, and at completion one array read for the status code's instruments, one counter increment
 * and one histogram record. Tag sets are built once per function and status code.
 *
 * <p>{@code function_name} is {@code name.namespace}. A meter is created only for functions the
 * entity answered for with something other than 404, so unknown names cannot grow the registry.
 */
public final class GatewayMetrics {
  private static final int CODES = 600;

  private final boolean enabled;
  private final Metric.Counter invocations;
  private final Metric.Histogram seconds;
  private final Metric.Gauge started;
  private final Metric.Gauge inflight;
  private final Metric.Gauge serviceCount;
  private final Metric.Gauge desired;
  private final Metric.Gauge ready;
  private final Metric.Gauge buffered;
  private final ConcurrentHashMap<FunctionId, FunctionMeter> meters = new ConcurrentHashMap<>();
  private final Gauge askedLeases;
  private final Gauge heldLeases;
  private final Gauge heldSlots;
  private volatile SlotHolder slots;

  private GatewayMetrics(boolean enabled) {
    this.enabled = enabled;
    if (!enabled) {
      invocations = null;
      seconds = null;
      started = null;
      inflight = null;
      serviceCount = null;
      desired = null;
      ready = null;
      buffered = null;
      askedLeases = null;
      heldLeases = null;
      heldSlots = null;
      return;
    }
    invocations = Kamon.counter("gateway_function_invocation", "Function invocations by code");
    seconds =
        Kamon.histogram(
            "gateway_functions",
            "Function invocation duration by status code",
            MeasurementUnit.time().nanoseconds());
    started = Kamon.gauge("gateway_function_invocation_started", "Invocations started");
    inflight = Kamon.gauge("gateway_function_invocation_inflight", "Invocations in flight");
    serviceCount = Kamon.gauge("gateway_service_count", "Ready replicas");
    desired = Kamon.gauge("shardless_function_replicas_desired", "Replicas the scheduler wants");
    ready = Kamon.gauge("shardless_function_replicas_ready", "Replicas accepting calls");
    buffered = Kamon.gauge("shardless_function_buffered_requests", "Requests waiting for a slot");
    Metric.Gauge leases =
        Kamon.gauge("shardless_gateway_slot_leases", "Calls by where their slot came from");
    askedLeases = leases.withTag("source", "asked");
    heldLeases = leases.withTag("source", "held");
    heldSlots =
        Kamon.gauge("shardless_gateway_held_slots", "Slots this node holds now").withoutTags();
  }

  /** Publishes {@code holder}'s counts on the metrics tick. */
  void watch(SlotHolder holder) {
    this.slots = holder;
  }

  /** Records into Kamon (which must be initialised by the node). */
  public static GatewayMetrics enabled() {
    return new GatewayMetrics(true);
  }

  /** Records nothing. */
  public static GatewayMetrics disabled() {
    return new GatewayMetrics(false);
  }

  /** The function's meter if it has one, else {@code null} (no allocation). */
  FunctionMeter existing(FunctionId function) {
    return enabled ? meters.get(function) : null;
  }

  /** The function's meter, created on first use; {@code null} when metrics are off. */
  FunctionMeter meter(FunctionId function) {
    return enabled ? meters.computeIfAbsent(function, FunctionMeter::new) : null;
  }

  /**
   * Called on the metrics tick: copies the started and in-flight counts into their gauges, and asks
   * each metered function's entity for its ready replicas. A function that is no longer deployed
   * reports 0 ready replicas and loses its meter, so its entity is not asked again; its series
   * stay, with their last values, until the node restarts.
   *
   * @param status asks a function's entity for its runtime status
   * @param executor runs the continuations (never the common pool, DESIGN.md §6)
   */
  public void publish(
      Function<FunctionId, CompletionStage<RuntimeStatus>> status, Executor executor) {
    SlotHolder holder = slots;
    if (enabled && holder != null) {
      askedLeases.update(holder.asked());
      heldLeases.update(holder.reused());
      heldSlots.update(holder.held());
    }
    meters.forEach(
        (id, m) -> {
          m.startedGauge.update(m.startedCount.sum());
          m.inflightGauge.update(m.inflightCount.sum());
          CompletionStage<RuntimeStatus> asked;
          try {
            asked = status.apply(id);
          } catch (Exception e) {
            return;
          }
          asked.whenCompleteAsync((rt, e) -> onStatus(id, m, rt), executor);
        });
  }

  private void onStatus(FunctionId id, FunctionMeter m, RuntimeStatus rt) {
    if (rt == null) {
      return; // no answer this tick: keep the last value
    }
    if (rt.deployed()) {
      m.serviceGauge.update(rt.readyReplicas());
      m.desiredGauge.update(rt.desiredReplicas());
      m.readyGauge.update(rt.readyReplicas());
      m.bufferedGauge.update(rt.buffered());
    } else if (meters.remove(id, m)) {
      // Not removed from Kamon: the Prometheus reporter keeps exporting the last value of a
      // removed instrument (its accumulator never expires series), so say 0 instead.
      m.serviceGauge.update(0);
      m.desiredGauge.update(0);
      m.readyGauge.update(0);
      m.bufferedGauge.update(0);
    }
  }

  /** One function's instruments; per status code ones are made on first use and kept. */
  final class FunctionMeter {
    private final TagSet tags;
    private final LongAdder startedCount = new LongAdder();
    private final LongAdder inflightCount = new LongAdder();
    private final Gauge startedGauge;
    private final Gauge inflightGauge;
    private final Gauge serviceGauge;
    private final Gauge desiredGauge;
    private final Gauge readyGauge;
    private final Gauge bufferedGauge;
    private final AtomicReferenceArray<Outcome> outcomes = new AtomicReferenceArray<>(CODES);

    private FunctionMeter(FunctionId function) {
      tags = TagSet.of("function_name", function.name() + "." + function.namespace());
      startedGauge = started.withTags(tags);
      inflightGauge = inflight.withTags(tags);
      serviceGauge = serviceCount.withTags(tags);
      desiredGauge = desired.withTags(tags);
      readyGauge = ready.withTags(tags);
      bufferedGauge = buffered.withTags(tags);
    }

    void started() {
      startedCount.increment();
      inflightCount.increment();
    }

    void completed(int code, long nanos) {
      inflightCount.decrement();
      int slot = code >= 0 && code < CODES ? code : 0;
      Outcome o = outcomes.get(slot);
      if (o == null) {
        TagSet withCode = tags.withTag("code", Integer.toString(code));
        o = new Outcome(invocations.withTags(withCode), seconds.withTags(withCode));
        if (!outcomes.compareAndSet(slot, null, o)) {
          o = outcomes.get(slot);
        }
      }
      o.total().increment();
      o.seconds().record(nanos);
    }
  }

  private record Outcome(Counter total, Histogram seconds) {}
}
