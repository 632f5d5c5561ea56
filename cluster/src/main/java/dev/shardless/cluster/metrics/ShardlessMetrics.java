package dev.shardless.cluster.metrics;

import dev.shardless.persistence.async.QueueTelemetry;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.ScalingSpec;
import dev.shardless.scheduler.policy.ScaleReason;
import dev.shardless.scheduler.port.SchedulerTelemetry;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import kamon.Kamon;
import kamon.metric.Counter;
import kamon.metric.Gauge;
import kamon.metric.Histogram;
import kamon.metric.MeasurementUnit;
import kamon.metric.Metric;
import kamon.tag.TagSet;

/**
 * The scheduler's and the async queues' metrics in Kamon: the node's implementation of the {@link
 * SchedulerTelemetry} and {@link QueueTelemetry} ports (docs/observability.md lists the exported
 * names). Each function's instruments are made once, when its entity or queue first reports, and
 * kept: after that no report allocates (counters cached per reason, gauges set in place).
 *
 * <ul>
 *   <li>{@code gateway_service_target_load{function_name,scaling_type}}: gauge, the function's
 *       {@code com.openfaas.scale.target}; {@code scaling_type} is {@code rps} or {@code capacity}
 *       ({@code com.openfaas.scale.type}), as the OpenFaaS gateway labels it;
 *   <li>{@code shardless_cold_starts_total{function_name}} and {@code
 *       shardless_cold_start_seconds{function_name}} (histogram): wakes from zero by demand, timed
 *       to the first ready replica;
 *   <li>{@code shardless_scale_decisions_total{function_name,reason,changed}}: autoscaler
 *       evaluations by {@link ScaleReason}, {@code changed} true when the desired count moved;
 *   <li>{@code shardless_async_queue_depth{function_name}}, {@code
 *       shardless_async_oldest_job_age_seconds{function_name}} (gauges), {@code
 *       shardless_async_retries_total}, {@code shardless_async_dead_letters_total}, {@code
 *       shardless_async_callback_failures_total} (counters, {@code function_name}).
 * </ul>
 *
 * <p>The entity and the queue of a function run on one node at a time (sharding); each node reports
 * those it runs, so sum over nodes in PromQL (a queue that moves away reports depth 0 as it stops).
 * The oldest job's age grows between reports: {@link #publish} turns the acceptance time into an
 * age on the metrics tick.
 */
public final class ShardlessMetrics implements SchedulerTelemetry, QueueTelemetry {
  private static final ScaleReason[] REASONS = ScaleReason.values();
  private static final ScalingSpec.LoadType[] TYPES = ScalingSpec.LoadType.values();

  private final Metric.Gauge targetLoad =
      Kamon.gauge("gateway_service_target_load", "Target load per replica (scaling labels)");
  private final Metric.Counter coldStarts =
      Kamon.counter("shardless_cold_starts", "Wakes from zero replicas by waiting requests");
  private final Metric.Histogram coldStartTime =
      Kamon.histogram(
          "shardless_cold_start",
          "Time from a wake from zero to the first ready replica",
          MeasurementUnit.time().nanoseconds());
  private final Metric.Counter decisions =
      Kamon.counter("shardless_scale_decisions", "Autoscaler decisions by reason");
  private final Metric.Gauge depth =
      Kamon.gauge("shardless_async_queue_depth", "Async jobs queued, running or retry-waiting");
  private final Metric.Gauge oldestAge =
      Kamon.gauge("shardless_async_oldest_job_age_seconds", "Age of the oldest unfinished job");
  private final Metric.Counter retries =
      Kamon.counter("shardless_async_retries", "Failed async attempts that will be retried");
  private final Metric.Counter deadLetters =
      Kamon.counter("shardless_async_dead_letters", "Async jobs moved to the dead letters");
  private final Metric.Counter callbackFailures =
      Kamon.counter("shardless_async_callback_failures", "Callbacks given up");

  private final ConcurrentHashMap<FunctionId, EntityMeter> entities = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<FunctionId, QueueMeterImpl> queues = new ConcurrentHashMap<>();

  @Override
  public FunctionTelemetry of(FunctionId function) {
    return entities.computeIfAbsent(function, EntityMeter::new);
  }

  @Override
  public QueueMeter queueOf(FunctionId function) {
    return queues.computeIfAbsent(function, QueueMeterImpl::new);
  }

  /** On the metrics tick: the oldest job's age of every queue that reported, as of {@code now}. */
  public void publish(long nowMillis) {
    queues.forEach((id, q) -> q.publish(nowMillis));
  }

  private static TagSet tagsOf(FunctionId function) {
    return TagSet.of("function_name", function.name() + "." + function.namespace());
  }

  /** One function's scheduler instruments. */
  private final class EntityMeter implements FunctionTelemetry {
    private final TagSet tags;
    private final Counter coldStartCount;
    private final Histogram coldStartNanos;
    private final AtomicReferenceArray<Counter> byReason =
        new AtomicReferenceArray<>(REASONS.length * 2);
    private final AtomicReferenceArray<Gauge> targets = new AtomicReferenceArray<>(TYPES.length);
    private volatile ScalingSpec.LoadType lastType;

    EntityMeter(FunctionId function) {
      tags = tagsOf(function);
      coldStartCount = coldStarts.withTags(tags);
      coldStartNanos = coldStartTime.withTags(tags);
    }

    @Override
    public void configured(ScalingSpec scaling) {
      ScalingSpec.LoadType type = scaling.type();
      ScalingSpec.LoadType before = lastType;
      if (before != null && before != type) {
        // The old series would keep its last value (the reporter never drops one): say 0.
        target(before).update(0);
      }
      lastType = type;
      target(type).update(scaling.target());
    }

    private Gauge target(ScalingSpec.LoadType type) {
      Gauge g = targets.get(type.ordinal());
      if (g == null) {
        g = targetLoad.withTags(tags.withTag("scaling_type", type.name().toLowerCase(Locale.ROOT)));
        targets.compareAndSet(type.ordinal(), null, g);
      }
      return g;
    }

    @Override
    public void decided(ScaleReason reason, boolean changed) {
      int slot = reason.ordinal() * 2 + (changed ? 1 : 0);
      Counter c = byReason.get(slot);
      if (c == null) {
        c =
            decisions.withTags(
                tags.withTag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .withTag("changed", Boolean.toString(changed)));
        byReason.compareAndSet(slot, null, c);
      }
      c.increment();
    }

    @Override
    public void coldStart(long millis) {
      coldStartCount.increment();
      coldStartNanos.record(Math.max(0, millis) * 1_000_000L);
    }
  }

  /** One function's queue instruments. */
  private final class QueueMeterImpl implements QueueMeter {
    private final Gauge depthGauge;
    private final Gauge ageGauge;
    private final Counter retryCount;
    private final Counter deadLetterCount;
    private final Counter callbackFailureCount;
    private volatile long oldestAccepted;

    QueueMeterImpl(FunctionId function) {
      TagSet tags = tagsOf(function);
      depthGauge = depth.withTags(tags);
      ageGauge = oldestAge.withTags(tags);
      retryCount = retries.withTags(tags);
      deadLetterCount = deadLetters.withTags(tags);
      callbackFailureCount = callbackFailures.withTags(tags);
    }

    @Override
    public void depth(int unfinished, long oldestAcceptedMillis) {
      depthGauge.update(unfinished);
      oldestAccepted = unfinished == 0 ? 0 : oldestAcceptedMillis;
    }

    void publish(long nowMillis) {
      long oldest = oldestAccepted;
      ageGauge.update(oldest == 0 ? 0 : Math.max(0, nowMillis - oldest) / 1000.0);
    }

    @Override
    public void retried() {
      retryCount.increment();
    }

    @Override
    public void deadLettered() {
      deadLetterCount.increment();
    }

    @Override
    public void callbackFailed() {
      callbackFailureCount.increment();
    }
  }
}
