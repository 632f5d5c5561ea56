package dev.shardless.invoker.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardless.invoker.logs.LogFormat;
import dev.shardless.invoker.logs.LogSettings;
import dev.shardless.invoker.logs.RotatingLogFile;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogPumpTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-22T08:57:39Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  @Test
  void storesEachLineWithATimeStampAndKeepsAnUnfinishedLastLine() throws Exception {
    List<String> lines = pump("one\r\ntwo\n\nlast without newline");

    assertThat(lines).allMatch(l -> l.startsWith("2026-11-22T08:57:39.000000000Z "));
    assertThat(lines.stream().map(LogFormat::storedText))
        .containsExactly("one", "two", "", "last without newline");
  }

  @Test
  void splitsOverlongLines() throws Exception {
    List<String> lines = pump("x".repeat(RotatingLogFile.MAX_LINE + 5) + "\n");

    assertThat(lines.stream().map(l -> LogFormat.storedText(l).length()))
        .containsExactly(RotatingLogFile.MAX_LINE, 5);
  }

  private List<String> pump(String output) throws Exception {
    Path file = dir.resolve("r1.log");
    RotatingLogFile log =
        new RotatingLogFile(file, new LogSettings(1 << 20, 3, Duration.ofMillis(200)), CLOCK);
    LogPump pump =
        LogPump.start(
            new ByteArrayInputStream(output.getBytes(StandardCharsets.UTF_8)), log, "test");
    pump.awaitEnd(Duration.ofSeconds(30));
    return Files.readAllLines(file);
  }
}
