package dev.shardless.persistence.async;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.shardless.scheduler.model.RetrySchedule;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AsyncSettingsTest {

  @Test
  void theReferenceDefaultsParse() {
    AsyncSettings s = AsyncSettings.fromConfig(ConfigFactory.empty());
    assertEquals(
        new RetrySchedule(5, Duration.ofSeconds(1), Duration.ofSeconds(60)), s.retry().schedule());
    assertEquals(1000, s.snapshotEvery());
    assertEquals(1L << 20, s.snapshotMaxBytes());
  }

  @Test
  void aBadBackoffNamesItsSection() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                AsyncSettings.fromConfig(
                    ConfigFactory.parseString("shardless.async.retry.attempts = 0")));
    assertTrue(
        e.getMessage().startsWith("shardless.async.retry: attempts must be >= 1"), e.getMessage());
  }

  /** The persistence module raises Pekko's stash capacity over Pekko's own reference. */
  @Test
  void theRaisedStashCapacityWinsOverPekkosDefault() {
    assertEquals(16384, ConfigFactory.load().getInt("pekko.persistence.typed.stash-capacity"));
  }
}
