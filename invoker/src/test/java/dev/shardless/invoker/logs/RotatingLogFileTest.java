package dev.shardless.invoker.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingLogFileTest {
  private static final Duration POLL = Duration.ofMillis(200);
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-22T08:57:39Z"), ZoneOffset.UTC);
  // each stored line of text "line-NN" is 30 + 1 + 7 + 1 = 39 bytes
  private static final int LINE = 39;

  @TempDir Path dir;

  @Test
  void rotatesBeforeALineWouldExceedTheSizeAndDeletesTheOldest() throws Exception {
    Path active = dir.resolve("ns/fn/r1.log");
    try (RotatingLogFile log =
        new RotatingLogFile(active, new LogSettings(3 * LINE, 3, POLL), CLOCK)) {
      for (int i = 10; i < 30; i++) {
        log.line("line-" + i);
      }
    }

    assertThat(files()).containsExactly("r1.log", "r1.log.1", "r1.log.2");
    assertThat(Files.size(active)).isEqualTo(2L * LINE); // 20 lines: 3+3+...+2
    assertThat(Files.readString(active)).contains("line-28").contains("line-29");
    assertThat(Files.readString(dir.resolve("ns/fn/r1.log.1")))
        .contains("line-25", "line-26", "line-27");
    assertThat(Files.readString(dir.resolve("ns/fn/r1.log.2")))
        .contains("line-22", "line-23", "line-24");
  }

  @Test
  void oneFileOnlyIsTruncatedInstead() throws Exception {
    Path active = dir.resolve("ns/fn/r1.log");
    try (RotatingLogFile log =
        new RotatingLogFile(active, new LogSettings(2 * LINE, 1, POLL), CLOCK)) {
      for (int i = 10; i < 15; i++) {
        log.line("line-" + i);
      }
    }

    assertThat(files()).containsExactly("r1.log");
    assertThat(Files.readString(active)).doesNotContain("line-13").contains("line-14");
  }

  @Test
  void continuesAnExistingFileAndCountsItsSize() throws Exception {
    Path active = dir.resolve("ns/fn/r1.log");
    LogSettings settings = new LogSettings(3 * LINE, 2, POLL);
    try (RotatingLogFile log = new RotatingLogFile(active, settings, CLOCK)) {
      log.line("line-10");
      log.line("line-11");
    }
    try (RotatingLogFile log = new RotatingLogFile(active, settings, CLOCK)) {
      log.line("line-12");
      log.line("line-13");
    }

    assertThat(Files.readString(dir.resolve("ns/fn/r1.log.1"))).contains("line-12");
    assertThat(Files.readString(active)).isEqualTo(LogFormat.stored(CLOCK.instant(), "line-13"));
  }

  @Test
  void outputIsSplitIntoLinesEachWithATimeStamp() throws Exception {
    Path active = dir.resolve("ns/fn/r1.log");
    try (RotatingLogFile log =
        new RotatingLogFile(active, new LogSettings(1 << 20, 3, POLL), CLOCK)) {
      log.output("one\r\ntwo\n\nthree".getBytes(StandardCharsets.UTF_8));
    }

    List<String> lines = Files.readAllLines(active);
    assertThat(lines).hasSize(4).allMatch(l -> l.startsWith("2026-11-22T08:57:39.000000000Z "));
    assertThat(lines.stream().map(LogFormat::storedText))
        .containsExactly("one", "two", "", "three");
  }

  private List<String> files() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("ns/fn"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
