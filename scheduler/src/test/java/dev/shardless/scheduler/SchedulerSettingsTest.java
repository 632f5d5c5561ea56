package dev.shardless.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.shardless.scheduler.policy.AutoscaleSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SchedulerSettingsTest {

  @Test
  void referenceConfHasTheDocumentedDefaults() {
    SchedulerSettings s = SchedulerSettings.fromConfig(ConfigFactory.load());
    assertEquals(
        new SchedulerSettings(
            1000,
            1000,
            Duration.ofSeconds(5),
            Duration.ofSeconds(1),
            Duration.ofSeconds(30),
            Duration.ofSeconds(5),
            Duration.ofSeconds(20),
            Duration.ofMillis(100),
            AutoscaleSettings.DEFAULT),
        s);
  }

  @Test
  void referenceConfBindsTheMarkerToJacksonCbor() {
    Config c = ConfigFactory.load().getConfig("pekko.actor.serialization-bindings");
    assertEquals("jackson-cbor", c.getString("\"dev.shardless.scheduler.CborSerializable\""));
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          buffer-size         | 0     | shardless.scheduler.buffer-size must be > 0, was 0
          stash-size          | -1    | shardless.scheduler.stash-size must be > 0, was -1
          buffer-size         | 2000000 | shardless.scheduler.buffer-size must be <= 1000000, was 2000000
          catalog-timeout     | 0s    | shardless.scheduler.catalog-timeout must be > 0, was 0s
          expire-interval     | 0ms   | shardless.scheduler.expire-interval must be > 0, was 0s
          restart-backoff-min | 0s    | shardless.scheduler.restart-backoff-min must be > 0, was 0s
          restart-backoff-max | 500ms | shardless.scheduler.restart-backoff-max must be >= restart-backoff-min (1s), was 500ms
          stop-grace          | -1s   | shardless.scheduler.stop-grace must be >= 0, was PT-1S
          autoscale.stable-window | 0s | shardless.scheduler.autoscale.stable-window must be > 0, was 0s
          autoscale.panic-threshold | 0.5 | shardless.scheduler.autoscale.panic-threshold must be >= 1.0, was 0.5
          autoscale.scale-down-window | -1s | shardless.scheduler.autoscale.scale-down-window must be > 0, was PT-1S
          """)
  void badValuesAreRejectedNamingKeyAndValue(String key, String value, String message) {
    Config c =
        ConfigFactory.parseString("shardless.scheduler." + key + " = " + value)
            .withFallback(ConfigFactory.load());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SchedulerSettings.fromConfig(c));
    assertEquals(message, e.getMessage());
  }

  @Test
  void restartBackoffDoublesFromMinUpToMax() {
    SchedulerSettings s = SchedulerSettings.fromConfig(ConfigFactory.load());
    assertEquals(Duration.ZERO, s.restartBackoff(0));
    assertEquals(Duration.ofSeconds(1), s.restartBackoff(1));
    assertEquals(Duration.ofSeconds(2), s.restartBackoff(2));
    assertEquals(Duration.ofSeconds(16), s.restartBackoff(5));
    assertEquals(Duration.ofSeconds(30), s.restartBackoff(6));
    assertEquals(Duration.ofSeconds(30), s.restartBackoff(1000));
  }
}
