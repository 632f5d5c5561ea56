package dev.shardless.invoker.local;

import dev.shardless.invoker.logs.RotatingLogFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Copies an HTTP replica's output (stdout and stderr merged, read from a pipe) into its log, one
 * time-stamped line at a time, on a thread of its own until end of stream.
 *
 * <p>Why a pipe and a thread per replica rather than the former redirect to the file: a line's time
 * can only be known when it is written (a file's modification time dates only its last line), and
 * only a writer in the invoker can rotate the file; a process holding the file open itself would
 * keep writing to the rotated file. Replicas are OS processes, few per node, so one mostly-blocked
 * daemon thread each is cheap. The function blocks on writes if the invoker falls behind, which
 * bounds memory. When this JVM dies the pipe breaks, but the process group dies with it anyway
 * ({@link ProcessGroups}).
 */
final class LogPump {
  private static final int CHUNK = 8192;

  private final CompletableFuture<Void> done = new CompletableFuture<>();

  private LogPump() {}

  /** Starts copying {@code in} into {@code log} on a new daemon thread; closes both at the end. */
  static LogPump start(InputStream in, RotatingLogFile log, String name) {
    LogPump pump = new LogPump();
    Thread t = new Thread(() -> pump.run(in, log), "shardless-log-" + name);
    t.setDaemon(true);
    t.start();
    return pump;
  }

  /** Copies until end of stream (or a read error); blocking. Package-private for tests. */
  void run(InputStream in, RotatingLogFile log) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    byte[] buf = new byte[CHUNK];
    try (in) {
      int n;
      while ((n = in.read(buf)) >= 0) {
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n' || line.size() >= RotatingLogFile.MAX_LINE) {
            emit(line, log);
          }
          if (buf[i] != '\n') {
            line.write(buf[i]);
          }
        }
      }
    } catch (IOException e) {
      // the pipe broke: the process is gone
    } finally {
      if (line.size() > 0) {
        emit(line, log);
      }
      log.close();
      done.complete(null);
    }
  }

  private static void emit(ByteArrayOutputStream line, RotatingLogFile log) {
    String text = line.toString(StandardCharsets.UTF_8);
    log.line(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
    line.reset();
  }

  /** Waits (at most {@code max}) until everything the process wrote is in the log. */
  void awaitEnd(Duration max) {
    try {
      done.get(max.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // a child still holds the pipe open; the tail may miss its last lines
    }
  }
}
