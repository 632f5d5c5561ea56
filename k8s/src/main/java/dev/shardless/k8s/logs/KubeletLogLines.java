package dev.shardless.k8s.logs;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The text {@code pods/log?timestamps=true} returns, read into lines. Each line is {@code
 * <RFC3339Nano> <text>}, the time as Go prints it ({@code 2026-11-22T08:57:39.12345Z}: trailing
 * fraction zeros dropped, any offset accepted). A line that does not start with a time (a server
 * that did not add one) keeps the whole line as its text and takes the time of the line before it,
 * or {@code fallback} when it is the first. Example: {@code "2026-11-22T08:57:39.5Z hello\nbare\n"}
 * → (…39.5Z, "hello"), (…39.5Z, "bare").
 */
public final class KubeletLogLines {
  private KubeletLogLines() {}

  /** The complete lines of {@code body} (a last line without its newline counts too). */
  public static List<PodLogLine> parse(String pod, String body, Instant fallback) {
    List<PodLogLine> lines = new ArrayList<>();
    if (body == null || body.isEmpty()) {
      return lines;
    }
    String trimmed = body.endsWith("\n") ? body.substring(0, body.length() - 1) : body;
    Instant previous = fallback;
    for (String line : trimmed.split("\n", -1)) {
      String raw = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      int space = raw.indexOf(' ');
      Instant at = space > 0 ? time(raw.substring(0, space)) : time(raw);
      if (at == null) {
        lines.add(new PodLogLine(pod, previous, raw));
      } else {
        previous = at;
        lines.add(new PodLogLine(pod, at, space > 0 ? raw.substring(space + 1) : ""));
      }
    }
    return lines;
  }

  /**
   * The {@code sinceTime} to ask for to get every line at or after {@code at}: the API server
   * forwards it to the kubelet with whole seconds only, so it is {@code at} rounded down to the
   * second ({@code 2026-11-22T08:57:39Z} for {@code …39.7Z}); the lines of that second before
   * {@code at} come back too and {@link PodLogCursor} drops them.
   */
  public static String sinceTime(Instant at) {
    return DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.SECONDS));
  }

  /** The instant of an RFC 3339 time, or null when {@code text} is not one. */
  static Instant time(String text) {
    if (text.length() < 20 || text.charAt(4) != '-' || text.charAt(10) != 'T') {
      return null;
    }
    try {
      return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
          .withOffsetSameInstant(ZoneOffset.UTC)
          .toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
