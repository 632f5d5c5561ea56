package dev.shardless.invoker.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogReaderTest {
  private static final Instant T0 = Instant.parse("2026-11-22T08:57:00Z");
  private static final LogSettings BIG = new LogSettings(1 << 20, 3, Duration.ofMillis(200));

  @TempDir Path dir;

  @Test
  void mergesEveryReplicaAndRotatedFileByTime() throws Exception {
    write("r1", 1, "a1");
    write("r2", 2, "b2");
    write("r1", 3, "a3");
    Files.move(dir.resolve("r1.log"), dir.resolve("r1.log.1")); // as rotation does
    write("r1", 4, "a4");
    write("r2", 5, "b5");

    List<LogLine> lines = new LogReader(dir, null).poll();

    assertThat(lines).extracting(LogLine::text).containsExactly("a1", "b2", "a3", "a4", "b5");
    assertThat(lines).extracting(LogLine::instance).containsExactly("r1", "r2", "r1", "r1", "r2");
    assertThat(lines.get(0).timestamp()).isEqualTo(T0.plusSeconds(1));
  }

  @Test
  void readsOneInstanceOnly() throws Exception {
    write("r1", 1, "a1");
    write("r2", 2, "b2");

    assertThat(new LogReader(dir, "r2").poll()).extracting(LogLine::text).containsExactly("b2");
    assertThat(new LogReader(dir, "r3").poll()).isEmpty();
  }

  @Test
  void aMissingDirectoryHasNoLines() throws Exception {
    assertThat(new LogReader(dir.resolve("nothing"), null).poll()).isEmpty();
  }

  @Test
  void laterPollsReturnOnlyNewCompleteLinesAcrossRotation() throws Exception {
    write("r1", 1, "a1");
    LogReader reader = new LogReader(dir, null);
    assertThat(reader.poll()).extracting(LogLine::text).containsExactly("a1");

    write("r1", 2, "a2");
    Files.writeString(
        dir.resolve("r1.log"), "2026-11-22T08:57:03.000000000Z half", StandardOpenOption.APPEND);
    assertThat(reader.poll()).extracting(LogLine::text).containsExactly("a2");

    Files.writeString(dir.resolve("r1.log"), "-done\n", StandardOpenOption.APPEND);
    Files.move(dir.resolve("r1.log"), dir.resolve("r1.log.1"));
    write("r1", 4, "a4");
    assertThat(reader.poll()).extracting(LogLine::text).containsExactly("half-done", "a4");
    assertThat(reader.poll()).isEmpty();
  }

  @Test
  void readsWhatTheRotatingWriterWrites() throws Exception {
    Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
    try (RotatingLogFile log =
        new RotatingLogFile(
            dir.resolve("r1.log"), new LogSettings(40, 3, BIG.followPollInterval()), clock)) {
      log.output("x1\nx2\nx3\nx4".getBytes(StandardCharsets.UTF_8));
    }

    assertThat(new LogReader(dir, null).poll())
        .extracting(LogLine::text)
        .containsExactly("x2", "x3", "x4"); // one line per file: x1 was in the file deleted
  }

  @Test
  void selectsSinceThenTail() {
    List<LogLine> lines = List.of(line(1, "a"), line(2, "b"), line(3, "c"), line(4, "d"));

    assertThat(LogReader.select(lines, T0.plusSeconds(2), 2))
        .extracting(LogLine::text)
        .containsExactly("c", "d");
    assertThat(LogReader.select(lines, T0.plusSeconds(2), 0))
        .extracting(LogLine::text)
        .containsExactly("b", "c", "d");
    assertThat(LogReader.select(lines, null, 1)).extracting(LogLine::text).containsExactly("d");
    assertThat(LogReader.select(lines, null, -1)).hasSize(4);
  }

  private static LogLine line(int second, String text) {
    return new LogLine("r1", T0.plusSeconds(second), text);
  }

  private void write(String replica, int second, String text) throws Exception {
    Files.writeString(
        dir.resolve(replica + ".log"),
        LogFormat.stored(T0.plusSeconds(second), text),
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }
}
