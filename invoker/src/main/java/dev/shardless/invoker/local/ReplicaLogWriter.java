package dev.shardless.invoker.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends the classic watchdog's lines and the forks' output to one replica's log. Blocking; safe
 * from several threads (whole entries are written under one lock, so outputs do not interleave).
 * Lines carry Go's default log prefix ({@code 2006/01/02 15:04:05}) like the OpenFaaS watchdog.
 */
final class ReplicaLogWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplicaLogWriter.class);
  private static final DateTimeFormatter PREFIX =
      DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss ");

  private final Path file;
  private final FileChannel channel;

  ReplicaLogWriter(Path file) throws IOException {
    this.file = file;
    this.channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  /** Appends one watchdog line with a timestamp prefix. */
  synchronized void line(String text) {
    write(
        ByteBuffer.wrap(
            (LocalDateTime.now().format(PREFIX) + text + "\n").getBytes(StandardCharsets.UTF_8)));
  }

  /** Appends a fork's output as is (a newline is added if it lacks one), then a watchdog line. */
  synchronized void output(byte[] output, String then) {
    if (output.length > 0) {
      write(ByteBuffer.wrap(output));
      if (output[output.length - 1] != '\n') {
        write(ByteBuffer.wrap(new byte[] {'\n'}));
      }
    }
    line(then);
  }

  private void write(ByteBuffer buf) {
    try {
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
    } catch (IOException e) {
      log.warn("Could not write to replica log {}: {}", file, e.toString());
    }
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException e) {
      log.warn("Could not close replica log {}: {}", file, e.toString());
    }
  }
}
