package dev.shardless.invoker.logs;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * How a line is stored on disk and how its time is shown. Stored: {@code <instant> <text>}, the
 * instant in UTC with exactly nine fraction digits ({@code 2026-11-22T08:57:39.123456000Z}), so the
 * prefix has a fixed width of 30 characters. Shown: RFC 3339 like Go's {@code time.Time} JSON
 * ({@code RFC3339Nano}: trailing fraction zeros dropped, {@code 2026-11-22T08:57:39.123456Z}).
 */
public final class LogFormat {
  private static final DateTimeFormatter STORED =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
  static final int PREFIX_LENGTH = 30;

  private LogFormat() {}

  /** The stored form of one line, newline included. */
  static String stored(Instant at, String text) {
    return STORED.format(at) + " " + text + "\n";
  }

  /** The time prefix of a stored line, or empty when the line has none (written by hand). */
  static Optional<Instant> storedTime(String line) {
    if (line.length() < PREFIX_LENGTH || line.charAt(PREFIX_LENGTH - 1) != 'Z') {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(line.substring(0, PREFIX_LENGTH)));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** The text of a stored line: without its time prefix when it has one. */
  public static String storedText(String line) {
    if (storedTime(line).isEmpty()) {
      return line;
    }
    return line.length() > PREFIX_LENGTH ? line.substring(PREFIX_LENGTH + 1) : "";
  }

  /**
   * Go's {@code RFC3339Nano} in UTC: {@code 2026-11-22T08:57:39Z}, {@code ...:39.5Z}, {@code
   * ...:39.123456789Z}.
   */
  public static String rfc3339(Instant at) {
    StringBuilder s = new StringBuilder(SECONDS.format(at));
    int nanos = at.getNano();
    if (nanos != 0) {
      String frac = String.format("%09d", nanos);
      int end = frac.length();
      while (frac.charAt(end - 1) == '0') {
        end--;
      }
      s.append('.').append(frac, 0, end);
    }
    return s.append('Z').toString();
  }

  /**
   * Parses an RFC 3339 time with any offset ({@code 2026-11-22T09:57:39+01:00}) or {@code Z}.
   *
   * @throws IllegalArgumentException when it is not one
   */
  public static Instant parseRfc3339(String text) {
    try {
      return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not an RFC 3339 time such as 2006-01-02T15:04:05Z", e);
    }
  }
}
