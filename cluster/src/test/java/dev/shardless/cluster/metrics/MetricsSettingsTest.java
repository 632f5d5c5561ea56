package dev.shardless.cluster.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetricsSettingsTest {
  private static Config with(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.parseResources("reference.conf"))
        .resolve();
  }

  @Test
  void defaultsServeOnLoopbackPort9095() {
    MetricsSettings s = MetricsSettings.fromConfig(with(""));
    assertThat(s.enabled()).isTrue();
    assertThat(s.host()).isEqualTo("127.0.0.1");
    assertThat(s.port()).isEqualTo(9095);
    assertThat(s.tickInterval()).isPositive();
    assertThat(s.actorMetrics()).as("per-task and per-message timing is opt-in").isFalse();
  }

  @Test
  void readsOverrides() {
    MetricsSettings s =
        MetricsSettings.fromConfig(
            with(
                "shardless.metrics { enabled = false, host = \"0.0.0.0\", port = 0,"
                    + " tick-interval = 2s, actor-metrics = true }"));
    assertThat(s).isEqualTo(new MetricsSettings(false, "0.0.0.0", 0, Duration.ofSeconds(2), true));
  }

  @Test
  void rejectsBadValuesNamingTheKey() {
    assertThatThrownBy(() -> MetricsSettings.fromConfig(with("shardless.metrics.port = 70000")))
        .hasMessageContaining("shardless.metrics.port")
        .hasMessageContaining("70000");
    assertThatThrownBy(
            () -> MetricsSettings.fromConfig(with("shardless.metrics.tick-interval = 0s")))
        .hasMessageContaining("shardless.metrics.tick-interval");
    assertThatThrownBy(() -> MetricsSettings.fromConfig(with("shardless.metrics.host = \" \"")))
        .hasMessageContaining("shardless.metrics.host");
  }
}
