package dev.shardless.invoker.local;

import dev.shardless.invoker.logs.LogFiles;
import dev.shardless.invoker.logs.LogFormat;
import dev.shardless.invoker.logs.LogSettings;
import dev.shardless.invoker.logs.RotatingLogFile;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.ReplicaId;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Where replica logs live ({@link LogFiles}): one active file per replica, {@code
 * <logs>/<namespace>/<name>/<replica>.log}, plus its rotated predecessors. Every line is stored
 * with the time the invoker received it ({@link LogFormat}); writers are {@link RotatingLogFile}s,
 * fed by the classic watchdog ({@link ReplicaLogWriter}) or by an HTTP replica's {@link LogPump}.
 */
final class ReplicaLogs {
  private static final int TAIL_BYTES = 4096;

  private final Path root;
  private final LogSettings settings;

  ReplicaLogs(Path root, LogSettings settings) {
    this.root = root;
    this.settings = settings;
  }

  /** The active log file of one replica; names are reduced to a safe file-name alphabet. */
  Path path(FunctionId function, ReplicaId replica) {
    return LogFiles.activeFile(LogFiles.functionDir(root, function), replica.value());
  }

  /** Opens the replica's log for appending (directories created), rotating as configured. */
  RotatingLogFile open(FunctionId function, ReplicaId replica) throws IOException {
    return new RotatingLogFile(path(function, replica), settings, Clock.systemUTC());
  }

  /**
   * The last {@code lines} non-blank lines of {@code file} without their time prefixes, joined by "
   * | "; "" when none.
   */
  static String tail(Path file, int lines) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long start = Math.max(0, f.length() - TAIL_BYTES);
      byte[] buf = new byte[(int) (f.length() - start)];
      f.seek(start);
      f.readFully(buf);
      List<String> all = new ArrayList<>();
      for (String l : new String(buf, StandardCharsets.UTF_8).split("\\R")) {
        String text = LogFormat.storedText(l);
        if (!text.isBlank()) {
          all.add(text.strip());
        }
      }
      if (start > 0 && all.size() > lines) {
        all.remove(0); // probably cut in the middle
      }
      return String.join(" | ", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "";
    }
  }
}
