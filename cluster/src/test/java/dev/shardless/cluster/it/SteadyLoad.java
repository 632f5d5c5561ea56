package dev.shardless.cluster.it;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code clients} callers, each invoking {@code path} back to back until {@link #stop()} or {@code
 * maxRounds} calls each (a bound, so a test can never load forever). Every answer that is not 200,
 * and every exception, is kept for the assertion.
 */
final class SteadyLoad implements AutoCloseable {
  private final ExecutorService pool;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong ok = new AtomicLong();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final List<Future<?>> clients = new ArrayList<>();

  SteadyLoad(Api api, String path, int clients, int maxRounds) {
    this.pool = Executors.newFixedThreadPool(clients);
    for (int i = 0; i < clients; i++) {
      this.clients.add(pool.submit(() -> run(api, path, maxRounds)));
    }
  }

  private void run(Api api, String path, int maxRounds) {
    for (int round = 0; round < maxRounds && !stop.get(); round++) {
      try {
        HttpResponse<String> r = api.invoke("GET", path, null);
        if (r.statusCode() == 200) {
          ok.incrementAndGet();
        } else {
          failures.add(r.statusCode() + " " + r.body());
        }
      } catch (Exception e) {
        failures.add(e.toString());
      }
    }
  }

  long succeeded() {
    return ok.get();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  /** True once every client has finished its rounds. */
  boolean finished() {
    return clients.stream().allMatch(Future::isDone);
  }

  /** Stops after the calls under way and waits for them; then the counts are final. */
  void stop() {
    stop.set(true);
    pool.shutdown();
    try {
      if (!pool.awaitTermination(Api.CALL_BOUND.toSeconds(), TimeUnit.SECONDS)) {
        pool.shutdownNow();
        failures.add("clients did not stop within " + Api.CALL_BOUND);
      }
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
      failures.add("interrupted while stopping the clients");
    }
  }

  @Override
  public void close() {
    stop();
  }
}
