package dev.shardless.cluster.gateway;

import dev.shardless.scheduler.model.FunctionId;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The dashboard's rolling numbers of synchronous calls per function, as the gateway saw them:
 * requests per second, p50 and p99 latency and the error rate over the last {@link #WINDOW_SECONDS}
 * complete seconds. Fed by {@link InvokeHandler} where it records its metrics, read once a second
 * by {@link LiveFeed}.
 *
 * <p>Each function has a ring of {@code WINDOW_SECONDS + 1} one-second slots; a slot holds its
 * second, a call count, an error count (answers {@code >= 500}) and a latency histogram of {@link
 * #BUCKETS} log-linear buckets (four per power of two of microseconds, so a percentile is within
 * 12.5% of the true value). Recording a call costs one map lookup and three atomic increments, and
 * allocates nothing once the function has its ring (made on its first call; 13 KB). Rings of
 * deleted functions are dropped when {@link LiveFeed} next lists their namespace.
 *
 * <p>Worked example: 30 calls in each of the last 10 seconds, 3 of them 503, latencies 4 ms except
 * one 100 ms in each second: {@code rps = 300 / 10 = 30.0}, {@code errorRate = 30 / 300 = 0.1}, p50
 * is in the bucket of 4,000 µs ([3,584, 4,096) µs, reported as its middle, 3.84 ms) and p99 is 100
 * ms's bucket (rank 297 of 300 falls on the 100 ms calls).
 *
 * <p>A slot that is reused for a new second is cleared by whichever recorder sees it first; a call
 * recorded in the same instant by another thread may be lost. The numbers are for people watching a
 * dashboard, not for billing; the exact counts are in {@link GatewayMetrics}.
 */
final class LiveStats {
  /** Seconds the numbers cover (complete seconds, the current one excluded). */
  static final int WINDOW_SECONDS = 10;

  /** Latency buckets: values below 4 µs exactly, then four per power of two up to 2^37 µs. */
  static final int BUCKETS = 144;

  private static final int SLOTS = WINDOW_SECONDS + 1;
  private static final int SECOND = 0;
  private static final int CALLS = 1;
  private static final int ERRORS = 2;
  private static final int HEADER = 3;
  private static final int SLOT_SIZE = HEADER + BUCKETS;

  private final ConcurrentHashMap<FunctionId, AtomicLongArray> windows = new ConcurrentHashMap<>();

  /**
   * The function's numbers over the window before {@code nowSecond}.
   *
   * @param rps completed calls per second
   * @param p50Millis median latency in milliseconds, 0 without calls
   * @param p99Millis 99th percentile latency in milliseconds, 0 without calls
   * @param errorRate share of calls answered with a status {@code >= 500}, 0 without calls
   */
  record Snapshot(double rps, double p50Millis, double p99Millis, double errorRate) {
    static final Snapshot NONE = new Snapshot(0, 0, 0, 0);
  }

  /**
   * Records one finished call. The hot path: called once per call.
   *
   * @param nowSecond the current second on a monotonic clock ({@code System.nanoTime() / 1e9})
   */
  void completed(FunctionId function, int status, long nanos, long nowSecond) {
    AtomicLongArray w = windows.get(function);
    if (w == null) {
      w = windows.computeIfAbsent(function, f -> new AtomicLongArray(SLOTS * SLOT_SIZE));
    }
    int base = (int) Math.floorMod(nowSecond, (long) SLOTS) * SLOT_SIZE;
    long held = w.get(base + SECOND);
    if (held != nowSecond && w.compareAndSet(base + SECOND, held, nowSecond)) {
      for (int i = base + CALLS; i < base + SLOT_SIZE; i++) {
        w.set(i, 0);
      }
    }
    w.incrementAndGet(base + CALLS);
    if (status >= 500) {
      w.incrementAndGet(base + ERRORS);
    }
    w.incrementAndGet(base + HEADER + bucket(nanos / 1000));
  }

  /** The numbers of the {@link #WINDOW_SECONDS} complete seconds before {@code nowSecond}. */
  Snapshot snapshot(FunctionId function, long nowSecond) {
    AtomicLongArray w = windows.get(function);
    if (w == null) {
      return Snapshot.NONE;
    }
    long calls = 0;
    long errors = 0;
    long[] histogram = new long[BUCKETS];
    for (int s = 0; s < SLOTS; s++) {
      int base = s * SLOT_SIZE;
      long second = w.get(base + SECOND);
      if (second >= nowSecond || second < nowSecond - WINDOW_SECONDS) {
        continue;
      }
      calls += w.get(base + CALLS);
      errors += w.get(base + ERRORS);
      for (int b = 0; b < BUCKETS; b++) {
        histogram[b] += w.get(base + HEADER + b);
      }
    }
    if (calls == 0) {
      return Snapshot.NONE;
    }
    return new Snapshot(
        (double) calls / WINDOW_SECONDS,
        percentileMicros(histogram, 0.50) / 1000.0,
        percentileMicros(histogram, 0.99) / 1000.0,
        (double) errors / calls);
  }

  /** Forgets functions that are not in {@code deployed} (deleted ones). */
  void retainOnly(Set<FunctionId> deployed, String namespace) {
    windows.keySet().removeIf(id -> id.namespace().equals(namespace) && !deployed.contains(id));
  }

  /**
   * The bucket of a latency in microseconds: {@code v} itself below 4; else, with {@code e =
   * floor(log2 v)} and {@code m} the top three bits of {@code v} (4..7), {@code 4 * (e - 2) + m}.
   * Example: 4,000 µs has e = 11, m = 4000 >> 9 = 7, so bucket 43, holding [3,584, 4,096) µs.
   */
  static int bucket(long micros) {
    if (micros < 4) {
      return (int) Math.max(0, micros);
    }
    int e = 63 - Long.numberOfLeadingZeros(micros);
    int index = 4 * (e - 2) + (int) (micros >> (e - 2));
    return Math.min(index, BUCKETS - 1);
  }

  /** The middle of a bucket's range in microseconds (the exact value below 4 µs). */
  static double middle(int bucket) {
    if (bucket < 4) {
      return bucket;
    }
    int e = bucket / 4 + 1;
    long m = bucket % 4 + 4;
    double low = (double) (m << (e - 2));
    double high = (double) ((m + 1) << (e - 2));
    return (low + high) / 2;
  }

  /** The value at quantile {@code q} (0..1) of a bucket histogram, as its bucket's middle. */
  static double percentileMicros(long[] histogram, double q) {
    long total = 0;
    for (long c : histogram) {
      total += c;
    }
    if (total == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (int b = 0; b < histogram.length; b++) {
      seen += histogram[b];
      if (seen >= rank) {
        return middle(b);
      }
    }
    return middle(histogram.length - 1);
  }
}
