package dev.shardless.cluster.it;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Steady synchronous load spread over some nodes of a {@link ThreeNodes} cluster: {@code clients}
 * callers, each invoking the functions {@code spread-0..n-1} in turn through the given nodes, back
 * to back. Every call is kept (function, start, end, status) for the assertions and for measuring
 * recovery.
 */
final class ClusterLoad implements AutoCloseable {
  /** One finished call; {@code status} 0 for an exception. */
  record Call(int function, int node, long startNanos, long endNanos, int status, String detail) {
    boolean ok() {
      return status == 200;
    }
  }

  private final ExecutorService pool;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
  private final int functions;

  ClusterLoad(ThreeNodes cluster, int[] nodes, int functions, int clients) {
    this.functions = functions;
    this.pool = Executors.newFixedThreadPool(clients);
    for (int c = 0; c < clients; c++) {
      int client = c;
      pool.submit(() -> run(cluster, nodes, client));
    }
  }

  private void run(ThreeNodes cluster, int[] nodes, int client) {
    for (int i = client; !stop.get(); i++) {
      int node = nodes[i % nodes.length];
      int f = (i / nodes.length) % functions;
      long start = System.nanoTime();
      try {
        HttpResponse<String> r = cluster.api(node).invoke("GET", "/function/spread-" + f, null);
        calls.add(new Call(f, node, start, System.nanoTime(), r.statusCode(), r.body()));
      } catch (Exception e) {
        calls.add(new Call(f, node, start, System.nanoTime(), 0, e.toString()));
      }
    }
  }

  long succeeded() {
    return calls.stream().filter(Call::ok).count();
  }

  long succeededSince(long nanos) {
    return calls.stream().filter(c -> c.ok() && c.startNanos() >= nanos).count();
  }

  List<String> failures() {
    return describe(calls.stream().filter(c -> !c.ok()).toList());
  }

  List<String> failuresSince(long nanos) {
    return describe(calls.stream().filter(c -> !c.ok() && c.startNanos() >= nanos).toList());
  }

  /** True once every function has answered 200 to a call started after {@code nanos}. */
  boolean everyFunctionSucceededSince(long nanos) {
    boolean[] seen = new boolean[functions];
    for (Call c : calls) {
      if (c.ok() && c.startNanos() >= nanos) {
        seen[c.function()] = true;
      }
    }
    for (boolean s : seen) {
      if (!s) {
        return false;
      }
    }
    return true;
  }

  /**
   * The longest time after {@code nanos} during which some function completed no successful call:
   * for each function, the longest gap between {@code nanos} or one successful call's end and the
   * next one's; the largest of these. A call that waited (its lease asked again until the entity's
   * new home answered) counts as much as failed calls, and an early success (on a held slot whose
   * replica still ran) does not hide a later wait. Ask once the load has been stable for a while.
   */
  Duration recoveryAfter(long nanos) {
    List<List<Long>> ends = new ArrayList<>();
    for (int f = 0; f < functions; f++) {
      ends.add(new ArrayList<>(List.of(nanos)));
    }
    for (Call c : calls) {
      if (c.ok() && c.endNanos() >= nanos) {
        ends.get(c.function()).add(c.endNanos());
      }
    }
    long longest = 0;
    for (List<Long> e : ends) {
      e.sort(null);
      for (int i = 1; i < e.size(); i++) {
        longest = Math.max(longest, e.get(i) - e.get(i - 1));
      }
    }
    return Duration.ofNanos(longest);
  }

  private static List<String> describe(List<Call> failed) {
    List<String> out = new ArrayList<>();
    for (Call c : failed) {
      out.add(
          "spread-"
              + c.function()
              + " via node "
              + c.node()
              + ": "
              + c.status()
              + " "
              + c.detail());
    }
    return out;
  }

  /** Stops after the calls under way; then the counts are final. */
  void stop() {
    stop.set(true);
    pool.shutdown();
    try {
      if (!pool.awaitTermination(Api.CALL_BOUND.toSeconds(), TimeUnit.SECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
