package dev.shardless.k8s.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KubeletLogLinesTest {
  private static final Instant FALLBACK = Instant.parse("2026-11-22T08:00:00Z");

  @Test
  void splitsEachLineIntoItsTimestampAndText() {
    List<PodLogLine> lines =
        KubeletLogLines.parse(
            "p-1",
            "2026-11-22T08:57:39.123456789Z hello world\n2026-11-22T08:57:40Z  two spaces\n",
            FALLBACK);

    assertThat(lines)
        .containsExactly(
            new PodLogLine("p-1", Instant.parse("2026-11-22T08:57:39.123456789Z"), "hello world"),
            new PodLogLine("p-1", Instant.parse("2026-11-22T08:57:40Z"), " two spaces"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "2026-11-22T08:57:39.5Z x          | 2026-11-22T08:57:39.500Z",
        "2026-11-22T08:57:39.12345Z x      | 2026-11-22T08:57:39.123450Z",
        "2026-11-22T09:57:39.1+01:00 x     | 2026-11-22T08:57:39.100Z",
        "2026-11-22T08:57:39Z x            | 2026-11-22T08:57:39Z"
      })
  void readsGoRfc3339NanoTimesWithAnyFractionAndOffset(String line, String expected) {
    assertThat(KubeletLogLines.parse("p", line.strip(), FALLBACK))
        .singleElement()
        .isEqualTo(new PodLogLine("p", Instant.parse(expected), "x"));
  }

  @Test
  void aLineWithoutATimestampTakesThePreviousLinesTimeOrTheFallback() {
    List<PodLogLine> lines =
        KubeletLogLines.parse(
            "p", "no time here\n2026-11-22T08:57:39Z first\ncontinued\n\n", FALLBACK);

    Instant t = Instant.parse("2026-11-22T08:57:39Z");
    assertThat(lines)
        .containsExactly(
            new PodLogLine("p", FALLBACK, "no time here"),
            new PodLogLine("p", t, "first"),
            new PodLogLine("p", t, "continued"),
            new PodLogLine("p", t, ""));
  }

  @Test
  void aTimestampAloneIsAnEmptyLineAndALastLineWithoutNewlineCounts() {
    assertThat(KubeletLogLines.parse("p", "2026-11-22T08:57:39Z\n2026-11-22T08:57:40Z x", FALLBACK))
        .extracting(PodLogLine::text)
        .containsExactly("", "x");
    assertThat(KubeletLogLines.parse("p", "", FALLBACK)).isEmpty();
    assertThat(KubeletLogLines.parse("p", null, FALLBACK)).isEmpty();
  }

  @Test
  void sinceTimeIsRoundedDownToTheSecondTheApiServerForwards() {
    assertThat(KubeletLogLines.sinceTime(Instant.parse("2026-11-22T08:57:39.999Z")))
        .isEqualTo("2026-11-22T08:57:39Z");
  }
}
