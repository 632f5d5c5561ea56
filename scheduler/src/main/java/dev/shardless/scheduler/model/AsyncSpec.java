package dev.shardless.scheduler.model;

import java.time.Duration;
import java.util.Map;

/**
 * How one function's asynchronous jobs run: how often and how patiently a failed attempt is
 * retried, and how many of its jobs may run at once. Read from the function's labels; the retry
 * defaults come from the node's settings ({@code shardless.async.retry}), passed in so that this
 * module stays free of the persistence module.
 *
 * <table>
 *   <caption>Labels</caption>
 *   <tr><th>label</th><th>value</th><th>default</th></tr>
 *   <tr><td>{@value #RETRY_ATTEMPTS}</td><td>attempts in all, whole number &ge; 1</td>
 *       <td>{@code shardless.async.retry.attempts}</td></tr>
 *   <tr><td>{@value #RETRY_MIN_WAIT}</td><td>Go duration &gt; 0, delay ceiling after the first
 *       failure</td><td>{@code shardless.async.retry.initial-delay}</td></tr>
 *   <tr><td>{@value #RETRY_MAX_WAIT}</td><td>Go duration &gt; 0, largest delay ceiling</td>
 *       <td>{@code shardless.async.retry.max-delay}</td></tr>
 *   <tr><td>{@value #MAX_CONCURRENCY}</td><td>jobs running at once, whole number &ge; 1</td>
 *       <td>half the function's capacity, see {@link #defaultMaxConcurrency}</td></tr>
 * </table>
 *
 * <p>A label wins over a default it contradicts: {@code min_wait=2m} with the default {@code
 * max-delay} of 60s gives a schedule of 2m..2m, and {@code max_wait=500ms} with the default {@code
 * initial-delay} of 1s gives 500ms..500ms. Both labels together must be ordered ({@link
 * FunctionSpecValidator} rejects {@code min_wait > max_wait}).
 *
 * @param retry the retry schedule of a job's attempts
 * @param maxConcurrency the most jobs of this function running at once (the async cap)
 */
public record AsyncSpec(RetrySchedule retry, int maxConcurrency) {
  public static final String RETRY_ATTEMPTS = "com.openfaas.retry.attempts";
  public static final String RETRY_MIN_WAIT = "com.openfaas.retry.min_wait";
  public static final String RETRY_MAX_WAIT = "com.openfaas.retry.max_wait";
  public static final String MAX_CONCURRENCY = "shardless.async.max-concurrency";

  public AsyncSpec {
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException("maxConcurrency must be >= 1, was " + maxConcurrency);
    }
  }

  /**
   * The async settings of {@code spec}, labels over {@code defaults}. Assumes labels that {@link
   * FunctionSpecValidator} accepted.
   */
  public static AsyncSpec of(FunctionSpec spec, RetrySchedule defaults) {
    Map<String, String> labels = spec.labels();
    int attempts = intLabel(labels, RETRY_ATTEMPTS, defaults.attempts());
    Duration min = durationLabel(labels, RETRY_MIN_WAIT);
    Duration max = durationLabel(labels, RETRY_MAX_WAIT);
    Duration initial = min != null ? min : defaults.initialDelay();
    Duration ceiling = max != null ? max : defaults.maxDelay();
    if (initial.compareTo(ceiling) > 0) {
      // Only one of the two labels is set and it contradicts the other's default: it wins.
      if (min != null) {
        ceiling = initial;
      } else {
        initial = ceiling;
      }
    }
    int cap = intLabel(labels, MAX_CONCURRENCY, defaultMaxConcurrency(spec));
    return new AsyncSpec(new RetrySchedule(attempts, initial, ceiling), cap);
  }

  /**
   * Half the function's capacity: {@code max(1, floor(scaling.max × perReplica / 2))}, where {@code
   * perReplica} is the replica's concurrency limit {@code max_inflight} when set (&gt; 0), else the
   * scaling target {@code com.openfaas.scale.target}. For {@code capacity} scaling the target is
   * the in-flight calls a replica should carry, which is what is meant here; for {@code rps}
   * scaling it is completions per second, read as calls in flight (exact for calls of about one
   * second, generous for shorter ones).
   *
   * <p>Half, so that a backlog of async jobs leaves the other half of the function's replicas to
   * synchronous callers. Example: the defaults ({@code max} 20, {@code target} 50) give 500; {@code
   * max_inflight=4} with {@code max=10} gives 20; {@code max=1, max_inflight=1} gives 1.
   */
  public static int defaultMaxConcurrency(FunctionSpec spec) {
    ScalingSpec scaling = spec.scaling();
    long perReplica = spec.maxInflight() > 0 ? spec.maxInflight() : scaling.target();
    long half = (long) scaling.max() * perReplica / 2;
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, half));
  }

  private static int intLabel(Map<String, String> labels, String key, int fallback) {
    String v = labels.get(key);
    return v == null ? fallback : Integer.parseInt(v.trim());
  }

  private static Duration durationLabel(Map<String, String> labels, String key) {
    String v = labels.get(key);
    return v == null ? null : GoDuration.parse(v).orElse(null);
  }
}
