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
   * How long after {@code nanos} the functions answer again for good: for each function, the end of
   * its first successful call started after both {@code nanos} and the end of its last failed call
   * (a call that still reached a replica of the lost node before failures began does not count as
   * recovered); the latest of these. Ask once the load has been stable for a while.
   */
  Duration recoveryAfter(long nanos) {
    long[] lastFailure = new long[functions];
    for (Call c : calls) {
      if (!c.ok() && c.startNanos() >= nanos) {
        lastFailure[c.function()] = Math.max(lastFailure[c.function()], c.endNanos());
      }
    }
    long[] first = new long[functions];
    for (Call c : calls) {
      int f = c.function();
      if (c.ok() && c.startNanos() >= Math.max(nanos, lastFailure[f])) {
        if (first[f] == 0 || c.endNanos() < first[f]) {
          first[f] = c.endNanos();
        }
      }
    }
    long latest = nanos;
    for (long t : first) {
      latest = Math.max(latest, t);
    }
    return Duration.ofNanos(latest - nanos);
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
