package dev.shardless.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NodeSettingsTest {
  @Test
  void startupWaitsTwoMinutesForTheRegistryByDefault() {
    NodeSettings settings = NodeSettings.fromConfig(ConfigFactory.load());
    assertThat(settings.startupTimeout()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void aStartupTimeoutOfZeroIsRefusedNamingTheKey() {
    assertThatThrownBy(
            () ->
                NodeSettings.fromConfig(
                    ConfigFactory.parseString("shardless.node.startup-timeout = 0s")
                        .withFallback(ConfigFactory.load())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shardless.node.startup-timeout must be > 0, was 0s");
  }

  @Test
  void thePlatformIsLocalByDefaultAndKubernetesOnRequest() {
    assertThat(NodeSettings.fromConfig(ConfigFactory.load()).platform())
        .isEqualTo(NodeSettings.Platform.LOCAL);
    assertThat(
            NodeSettings.fromConfig(
                    ConfigFactory.parseString("shardless.node.platform = kubernetes")
                        .withFallback(ConfigFactory.load()))
                .platform())
        .isEqualTo(NodeSettings.Platform.KUBERNETES);
  }

  @Test
  void anUnknownPlatformIsRefusedNamingTheVariable() {
    assertThatThrownBy(
            () ->
                NodeSettings.fromConfig(
                    ConfigFactory.parseString("shardless.node.platform = docker")
                        .withFallback(ConfigFactory.load())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "shardless.node.platform (SHARDLESS_PLATFORM) must be \"local\" or \"kubernetes\","
                + " was \"docker\"");
  }
}
