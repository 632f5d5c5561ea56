package dev.shardless.invoker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InvokerSettingsTest {

  private static Config with(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  @Test
  void referenceDefaultsAreTheDocumentedOnes() {
    InvokerSettings s = InvokerSettings.fromConfig(ConfigFactory.defaultReference());

    assertEquals(Path.of(".shardless").toAbsolutePath().normalize(), s.dataDir());
    assertEquals(Path.of(".").toAbsolutePath().normalize(), s.workDir());
    assertEquals(Duration.ofSeconds(60), s.readinessTimeout());
    assertEquals("127.0.0.1", s.bindHost());
    assertEquals(Duration.ofSeconds(5), s.stopGrace());
    assertEquals(16L * 1024 * 1024, s.classicMaxOutput());
    assertEquals(16, s.blockingThreads());
    assertEquals(SandboxMode.AUTO, s.sandbox());
  }

  @ParameterizedTest
  @CsvSource({"auto, AUTO", "bubblewrap, BUBBLEWRAP", "none, NONE", "' None ', NONE"})
  void sandboxModesParseInAnyCase(String value, SandboxMode mode) {
    assertEquals(
        mode,
        InvokerSettings.fromConfig(with("shardless.invoker.sandbox = \"" + value + "\""))
            .sandbox());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "readiness-timeout = 0s | shardless.invoker.readiness-timeout must be > 0, was 0s",
        "readiness-poll-interval = 2s | shardless.invoker.readiness-poll-interval must be <= 1s, was 2s",
        "stop-grace = -1s | shardless.invoker.stop-grace must be >= 0, was PT-1S",
        "classic-max-output = 0 | shardless.invoker.classic-max-output must be in 1..1073741824 bytes, was 0",
        "blocking-threads = 0 | shardless.invoker.blocking-threads must be in 1..1024, was 0",
        "bind-host = \"\" | shardless.invoker.bind-host must not be empty, was ''",
        "data-dir = \"\" | shardless.invoker.data-dir must not be empty, was ''",
        "sandbox = docker | shardless.invoker.sandbox must be one of auto, bubblewrap, none, was 'docker'"
      })
  void badValuesAreRejectedNamingKeyAndValue(String override, String message) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> InvokerSettings.fromConfig(with("shardless.invoker." + override)));
    assertEquals(message, e.getMessage());
  }
}
