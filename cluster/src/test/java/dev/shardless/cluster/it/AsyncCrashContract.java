package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * An accepted async job is never lost: jobs are queued to a slow function, more are posted while
 * the node's JVM is killed with {@code kill -9}, and after a restart on the same journal every job
 * that got a 202 reaches a terminal state and calls back. Delivery is at-least-once: the test
 * reports how many jobs ran (or called back) more than once.
 */
abstract class AsyncCrashContract {
  private static final Duration LONG = Duration.ofSeconds(180);

  /** The journal backend's environment. */
  abstract Map<String, String> backendEnv();

  @Test
  void everyAcceptedJobCompletesAfterAKillDashNine() throws Exception {
    Path dir = Files.createTempDirectory("shardless-crash-");
    Path record = dir.resolve("runs.txt");
    Map<String, String> env = new java.util.HashMap<>(AsyncContract.env(backendEnv()));
    // The function appends to a file of the test's on the host: no sandbox (its /tmp is private).
    env.put("SHARDLESS_SANDBOX", "none");
    Set<String> accepted = ConcurrentHashMap.newKeySet();
    try (CallbackReceiver callbacks = new CallbackReceiver()) {
      NodeProcess first = new NodeProcess(dir.resolve("data"), env).start();
      Api api = new Api(first);
      HttpResponse<String> deployed =
          api.system(
              "POST",
              "/system/functions",
              Api.probe(
                  "crash-slow",
                  "\"RECORD_FILE\":\"" + record + "\"",
                  "\"shardless.async.max-concurrency\":\"4\""));
      assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(202);
      String hook = callbacks.url("/crash");
      for (int i = 0; i < 100; i++) {
        accept(api, hook, accepted);
      }
      AtomicBoolean posting = new AtomicBoolean(true);
      Thread during =
          new Thread(
              () -> {
                // Bounded, so the backlog stays a few seconds of work.
                for (int n = 0; n < 200 && posting.get(); n++) {
                  try {
                    accept(api, hook, accepted);
                  } catch (Exception e) {
                    // The node is gone: this job was never accepted.
                  }
                }
              });
      during.start();
      await().atMost(LONG).until(() -> callbacks.received().size() >= 10);
      first.kill9();
      posting.set(false);
      during.join();
      int doneBeforeKill = callbacks.received().size();
      assertThat(doneBeforeKill).as("killed mid-way").isLessThan(accepted.size());

      try (NodeProcess second = new NodeProcess(dir.resolve("data"), env).start()) {
        Api again = new Api(second);
        await()
            .atMost(LONG)
            .untilAsserted(
                () -> assertThat(callbacks.countsByCallId().keySet()).containsAll(accepted));
        for (String id : accepted) {
          HttpResponse<String> job =
              again.system("GET", "/system/async/crash-slow/calls/" + id, null);
          assertThat(job.statusCode()).as(job.body()).isEqualTo(200);
          assertThat(Api.json(job).get("state").asText()).as(id).isEqualTo("succeeded");
        }
        for (CallbackReceiver.Delivery d : callbacks.received()) {
          assertThat(d.header("X-Function-Status")).isEqualTo("200");
        }
        Map<String, Integer> starts = starts(record);
        long reruns = starts.values().stream().filter(n -> n > 1).count();
        long duplicateCallbacks =
            callbacks.countsByCallId().values().stream().filter(n -> n > 1).count();
        System.out.printf(
            "crash test (%s): %d jobs accepted (%d completed before the kill), %d ran more than"
                + " once, %d called back more than once%n",
            backendEnv().getOrDefault("SHARDLESS_PERSISTENCE", "h2"),
            accepted.size(),
            doneBeforeKill,
            reruns,
            duplicateCallbacks);
        assertThat(starts.keySet()).containsAll(accepted);
      }
    } finally {
      delete(dir);
    }
  }

  private static void accept(Api api, String hook, Set<String> accepted) throws Exception {
    HttpResponse<String> r = api.async("crash-slow/work?ms=100", "job", "X-Callback-Url", hook);
    if (r.statusCode() == 202) {
      accepted.add(r.headers().firstValue("X-Call-Id").orElseThrow());
    }
  }

  /** How many times each call id started running, from the function's own record. */
  private static Map<String, Integer> starts(Path record) throws IOException {
    Map<String, Integer> starts = new HashMap<>();
    List<String> lines = Files.readAllLines(record);
    for (String line : lines) {
      if (line.startsWith("start ")) {
        starts.merge(line.substring(6), 1, Integer::sum);
      }
    }
    return starts;
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
