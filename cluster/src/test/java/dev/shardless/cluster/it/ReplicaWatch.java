package dev.shardless.cluster.it;

import java.net.http.HttpResponse;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Polls a function's status every 50 ms in the background and keeps the highest desired ({@code
 * replicas}) and ready ({@code availableReplicas}) counts seen, so a test can prove a bound held
 * throughout, not only at the moments it looked.
 */
final class ReplicaWatch implements AutoCloseable {
  private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
  private final AtomicInteger maxDesired = new AtomicInteger(-1);
  private final AtomicInteger maxAvailable = new AtomicInteger(-1);
  private final AtomicInteger lastAvailable = new AtomicInteger(-1);

  ReplicaWatch(Api api, String name) {
    poller.scheduleWithFixedDelay(() -> poll(api, name), 0, 50, TimeUnit.MILLISECONDS);
  }

  private void poll(Api api, String name) {
    try {
      HttpResponse<String> r = api.system("GET", "/system/function/" + name, null);
      if (r.statusCode() == 200) {
        int desired = Api.json(r).get("replicas").asInt();
        int available = Api.json(r).get("availableReplicas").asInt();
        maxDesired.accumulateAndGet(desired, Math::max);
        maxAvailable.accumulateAndGet(available, Math::max);
        lastAvailable.set(available);
      }
    } catch (Exception e) {
      // The next poll tries again; a node that stops answering fails the test's own calls.
    }
  }

  int maxDesired() {
    return maxDesired.get();
  }

  int maxAvailable() {
    return maxAvailable.get();
  }

  int available() {
    return lastAvailable.get();
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
