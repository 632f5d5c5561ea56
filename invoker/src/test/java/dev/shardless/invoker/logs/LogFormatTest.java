package dev.shardless.invoker.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogFormatTest {

  @ParameterizedTest
  @CsvSource({
    "2026-11-22T08:57:39Z, 2026-11-22T08:57:39Z",
    "2026-11-22T08:57:39.500Z, 2026-11-22T08:57:39.5Z",
    "2026-11-22T08:57:39.123456Z, 2026-11-22T08:57:39.123456Z",
    "2026-11-22T08:57:39.123456789Z, 2026-11-22T08:57:39.123456789Z",
    "2026-11-22T08:57:39.000000010Z, 2026-11-22T08:57:39.00000001Z"
  })
  void formatsLikeGoRfc3339Nano(String instant, String expected) {
    assertEquals(expected, LogFormat.rfc3339(Instant.parse(instant)));
  }

  @ParameterizedTest
  @CsvSource({
    "2026-11-22T08:57:39Z, 2026-11-22T08:57:39Z",
    "2026-11-22T09:57:39.25+01:00, 2026-11-22T08:57:39.250Z",
  })
  void parsesRfc3339WithAnyOffset(String text, String expected) {
    assertEquals(Instant.parse(expected), LogFormat.parseRfc3339(text));
  }

  @ParameterizedTest
  @CsvSource({"yesterday", "2026-11-22", "2026-11-22T08:57:39", "1700000000"})
  void rejectsWhatIsNotRfc3339(String text) {
    assertThrows(IllegalArgumentException.class, () -> LogFormat.parseRfc3339(text));
  }

  @org.junit.jupiter.api.Test
  void storedLinesKeepTheirTimeAndText() {
    Instant at = Instant.parse("2026-11-22T08:57:39.1Z");
    String stored = LogFormat.stored(at, "hello world");

    assertEquals("2026-11-22T08:57:39.100000000Z hello world\n", stored);
    String line = stored.substring(0, stored.length() - 1);
    assertEquals(Optional.of(at), LogFormat.storedTime(line));
    assertEquals("hello world", LogFormat.storedText(line));
    assertEquals("", LogFormat.storedText(LogFormat.stored(at, "").strip()));
  }

  @org.junit.jupiter.api.Test
  void linesWithoutATimePrefixAreKeptAsTheyAre() {
    assertEquals(Optional.empty(), LogFormat.storedTime("plain text written by hand, long enough"));
    assertEquals("plain", LogFormat.storedText("plain"));
  }
}
