package dev.shardless.invoker.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends time-stamped lines to one replica's log and keeps it bounded on disk. Blocking;
 * thread-safe (each line is written whole under one lock).
 *
 * <p>Rotation: before a line that would take the active file past {@code max-file-size}, the file
 * is closed and renamed to {@code .1}, {@code .1} to {@code .2} and so on, the file beyond {@code
 * max-files - 1} being replaced (so deleted); a fresh active file is opened. Renaming keeps a
 * file's identity (inode), which lets a follower reading the old file finish it. Worked example:
 * max-file-size 10 MiB, max-files 3: at most {@code .log}, {@code .log.1}, {@code .log.2}, about 30
 * MiB per replica. A single line longer than max-file-size still goes whole into a file of its own
 * (lines are cut at {@link #MAX_LINE} characters by the writers).
 */
public final class RotatingLogFile implements AutoCloseable {
  /** Longest line kept whole; longer output is split into several lines. */
  public static final int MAX_LINE = 16 * 1024;

  private static final Logger log = LoggerFactory.getLogger(RotatingLogFile.class);

  private final Path active;
  private final LogSettings settings;
  private final Clock clock;
  private FileChannel channel;
  private long size;

  public RotatingLogFile(Path active, LogSettings settings, Clock clock) throws IOException {
    this.active = active;
    this.settings = settings;
    this.clock = clock;
    Files.createDirectories(active.getParent());
    open();
  }

  /** Appends one line (without newline), stamped with the clock's current time. */
  public synchronized void line(String text) {
    byte[] bytes =
        LogFormat.stored(clock.instant(), text.replace('\n', ' ')).getBytes(StandardCharsets.UTF_8);
    try {
      if (size > 0 && size + bytes.length > settings.maxFileSize()) {
        rotate();
      }
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        size += channel.write(buf);
      }
    } catch (IOException e) {
      log.warn("Could not write to replica log {}: {}", active, e.toString());
    }
  }

  /** Appends {@code output} split into lines ({@code \n} or {@code \r\n}); one time stamp each. */
  public synchronized void output(byte[] output) {
    String text = new String(output, StandardCharsets.UTF_8);
    if (text.isEmpty()) {
      return;
    }
    if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    for (String l : text.split("\r?\n", -1)) {
      for (int i = 0; i < l.length() || i == 0; i += MAX_LINE) {
        line(l.substring(i, Math.min(l.length(), i + MAX_LINE)));
      }
    }
  }

  private void rotate() throws IOException {
    channel.close();
    int keep = settings.maxFiles() - 1;
    if (keep == 0) {
      Files.deleteIfExists(active);
    }
    for (int n = keep; n >= 1; n--) {
      Path from = n == 1 ? active : LogFiles.rotated(active, n - 1);
      if (Files.exists(from)) {
        Files.move(from, LogFiles.rotated(active, n), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    open();
  }

  private void open() throws IOException {
    channel =
        FileChannel.open(
            active, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    size = channel.size();
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException e) {
      log.warn("Could not close replica log {}: {}", active, e.toString());
    }
  }
}
