package dev.shardless.k8s.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KubernetesPlatformSettingsTest {
  @Test
  void defaultsAreTheDocumentedValues() {
    KubernetesPlatformSettings s = KubernetesPlatformSettings.defaults();

    assertThat(s.readinessTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(s.deploymentWait()).isEqualTo(Duration.ofMinutes(2));
    assertThat(s.adoptGrace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.deletionCost()).isEqualTo(Integer.MIN_VALUE);
    assertThat(s.retryBackoff()).isEqualTo(Duration.ofMillis(200));
    assertThat(s.retryBackoffMax()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.informerResync()).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.watchReconnect()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void configuredKeysOverrideTheDefaults() {
    KubernetesPlatformSettings s =
        KubernetesPlatformSettings.fromConfig(
            ConfigFactory.parseString(
                "shardless.k8s.platform { readiness-timeout = 90s, deletion-cost = -5 }"));

    assertThat(s.readinessTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(s.deletionCost()).isEqualTo(-5);
    assertThat(s.adoptGrace()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void badValuesAreRejectedNamingTheKeyAndTheValue() {
    assertThatThrownBy(() -> parse("readiness-timeout = 0s"))
        .hasMessage("shardless.k8s.platform.readiness-timeout must be > 0, was 0s");
    assertThatThrownBy(() -> parse("deletion-cost = 0"))
        .hasMessage(
            "shardless.k8s.platform.deletion-cost must be < 0 (below unmarked pods), was 0");
    assertThatThrownBy(() -> parse("retry-backoff = 1s, retry-backoff-max = 500ms"))
        .hasMessage(
            "shardless.k8s.platform.retry-backoff-max must be >= retry-backoff (1s), was 500ms");
    assertThatThrownBy(() -> parse("informer-resync = -1s"))
        .hasMessageStartingWith("shardless.k8s.platform.informer-resync must be >= 0");
  }

  @Test
  void backoffDoublesUpToItsCap() {
    KubernetesPlatformSettings s = KubernetesPlatformSettings.defaults();

    assertThat(s.backoff(1)).isEqualTo(Duration.ofMillis(200));
    assertThat(s.backoff(2)).isEqualTo(Duration.ofMillis(400));
    assertThat(s.backoff(6)).isEqualTo(Duration.ofMillis(6400));
    assertThat(s.backoff(7)).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.backoff(1000)).isEqualTo(Duration.ofSeconds(10));
  }

  private static KubernetesPlatformSettings parse(String keys) {
    return KubernetesPlatformSettings.fromConfig(
        ConfigFactory.parseString("shardless.k8s.platform { " + keys + " }"));
  }
}
