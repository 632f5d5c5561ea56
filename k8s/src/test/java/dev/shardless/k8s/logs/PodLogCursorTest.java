package dev.shardless.k8s.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodLogCursorTest {
  private static PodLogLine line(String time, String text) {
    return new PodLogLine("p", Instant.parse("2026-11-22T08:57:" + time + "Z"), text);
  }

  @Test
  void aRepeatedReadDeliversOnlyTheLinesAfterTheLastDelivered() {
    PodLogCursor cursor = new PodLogCursor(null);
    List<PodLogLine> first = List.of(line("01.200", "a"), line("01.500", "b"));
    assertThat(cursor.advance(first)).containsExactlyElementsOf(first);
    assertThat(cursor.position()).isEqualTo(Instant.parse("2026-11-22T08:57:01.500Z"));

    List<PodLogLine> again =
        List.of(line("01.200", "a"), line("01.500", "b"), line("01.500", "c"), line("02", "d"));
    assertThat(cursor.advance(again))
        .extracting(PodLogLine::text)
        .as("the second line at 01.5 is new: only one was delivered at that time")
        .containsExactly("c", "d");
    assertThat(cursor.advance(again)).isEmpty();
  }

  @Test
  void linesBeforeItsStartAreNeverDelivered() {
    PodLogCursor cursor = new PodLogCursor(Instant.parse("2026-11-22T08:57:01.500Z"));

    assertThat(cursor.advance(List.of(line("01", "old"), line("01.500", "at"), line("03", "new"))))
        .extracting(PodLogLine::text)
        .containsExactly("at", "new");
  }

  @Test
  void anEmptyReadKeepsThePosition() {
    PodLogCursor cursor = new PodLogCursor(null);
    assertThat(cursor.advance(List.of())).isEmpty();
    assertThat(cursor.position()).isNull();
    cursor.advance(List.of(line("05", "x"), line("05", "y")));
    assertThat(cursor.advance(List.of(line("05", "x"), line("05", "y"), line("05", "z"))))
        .extracting(PodLogLine::text)
        .containsExactly("z");
  }
}
