package dev.shardless.invoker.local;

import dev.shardless.invoker.logs.RotatingLogFile;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Appends the classic watchdog's lines and the forks' output to one replica's log. Blocking; safe
 * from several threads (a fork's output and its closing watchdog line are written under one lock,
 * so outputs do not interleave). Watchdog lines carry Go's default log prefix ({@code 2006/01/02
 * 15:04:05}, local time) like the OpenFaaS watchdog's, inside the text; the stored time stamp of
 * each line comes from {@link RotatingLogFile}.
 */
final class ReplicaLogWriter implements AutoCloseable {
  private static final DateTimeFormatter PREFIX =
      DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss ");

  private final RotatingLogFile file;

  ReplicaLogWriter(RotatingLogFile file) {
    this.file = file;
  }

  /** Appends one watchdog line with Go's log prefix. */
  synchronized void line(String text) {
    file.line(LocalDateTime.now().format(PREFIX) + text);
  }

  /** Appends a fork's output, one log line per output line, then a watchdog line. */
  synchronized void output(byte[] output, String then) {
    file.output(output);
    line(then);
  }

  @Override
  public synchronized void close() {
    file.close();
  }
}
