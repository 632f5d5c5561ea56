package dev.shardless.scheduler.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AsyncSpecTest {
  static final RetrySchedule DEFAULTS =
      new RetrySchedule(5, Duration.ofSeconds(1), Duration.ofSeconds(60));

  static FunctionSpec spec(Map<String, String> labels, Map<String, String> env) {
    return new FunctionSpec(
        new FunctionId("openfaas-fn", "echo"),
        "img",
        "cat",
        env,
        List.of(),
        List.of(),
        labels,
        Map.of(),
        Resources.NONE,
        Resources.NONE,
        false);
  }

  static Map<String, String> pairs(String text) {
    Map<String, String> m = new HashMap<>();
    if (!text.isBlank()) {
      for (String pair : text.trim().split("\\s+")) {
        String[] kv = pair.split("=", 2);
        m.put(kv[0], kv[1]);
      }
    }
    return m;
  }

  @Test
  void withoutLabelsTheDefaultsApplyAndTheCapIsHalfTheCapacity() {
    AsyncSpec async = AsyncSpec.of(spec(Map.of(), Map.of()), DEFAULTS);
    assertThat(async.retry()).isEqualTo(DEFAULTS);
    // scale.max 20 × scale.target 50 / 2
    assertThat(async.maxConcurrency()).isEqualTo(500);
  }

  @Test
  void labelsOverrideEveryDefault() {
    Map<String, String> labels =
        Map.of(
            AsyncSpec.RETRY_ATTEMPTS, " 3 ",
            AsyncSpec.RETRY_MIN_WAIT, "500ms",
            AsyncSpec.RETRY_MAX_WAIT, "1m30s",
            AsyncSpec.MAX_CONCURRENCY, "7");
    AsyncSpec async = AsyncSpec.of(spec(labels, Map.of()), DEFAULTS);
    assertThat(async)
        .isEqualTo(
            new AsyncSpec(new RetrySchedule(3, Duration.ofMillis(500), Duration.ofSeconds(90)), 7));
  }

  @ParameterizedTest(name = "{0} -> {1}..{2}")
  @CsvSource({
    "com.openfaas.retry.min_wait=2s, 2000, 60000",
    "com.openfaas.retry.min_wait=2m, 120000, 120000",
    "com.openfaas.retry.max_wait=10s, 1000, 10000",
    "com.openfaas.retry.max_wait=500ms, 500, 500",
    "com.openfaas.retry.min_wait=100ms com.openfaas.retry.max_wait=200ms, 100, 200",
  })
  void aWaitLabelWinsOverTheDefaultItContradicts(String labels, long minMs, long maxMs) {
    RetrySchedule retry = AsyncSpec.of(spec(pairs(labels), Map.of()), DEFAULTS).retry();
    assertThat(retry.initialDelay()).isEqualTo(Duration.ofMillis(minMs));
    assertThat(retry.maxDelay()).isEqualTo(Duration.ofMillis(maxMs));
  }

  @ParameterizedTest(name = "labels [{0}] env [{1}] -> cap {2}")
  @CsvSource({
    "'', '', 500",
    "com.openfaas.scale.max=10, max_inflight=4, 20",
    "com.openfaas.scale.max=1, max_inflight=1, 1",
    "com.openfaas.scale.max=3, max_inflight=1, 1",
    "com.openfaas.scale.max=3 com.openfaas.scale.target=5, '', 7",
    "com.openfaas.scale.max=4 com.openfaas.scale.target=5, max_inflight=0, 10",
    "com.openfaas.scale.max=4 com.openfaas.scale.target=5, max_inflight=2, 4",
    "com.openfaas.scale.max=2147483647 com.openfaas.scale.target=2147483647, '', 2147483647",
    "shardless.async.max-concurrency=3 com.openfaas.scale.max=100, '', 3",
  })
  void theCapIsHalfOfMaxTimesPerReplicaConcurrency(String labels, String env, int want) {
    assertThat(AsyncSpec.of(spec(pairs(labels), pairs(env)), DEFAULTS).maxConcurrency())
        .isEqualTo(want);
  }

  @Test
  void rejectsACapBelowOneAndAnUnorderedSchedule() {
    assertThatThrownBy(() -> new AsyncSpec(DEFAULTS, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxConcurrency");
    assertThatThrownBy(() -> new RetrySchedule(0, Duration.ZERO, Duration.ZERO))
        .hasMessageContaining("attempts must be >= 1");
    assertThatThrownBy(() -> new RetrySchedule(1, Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessageContaining("initial delay <= max delay");
  }
}
