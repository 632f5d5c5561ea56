package dev.shardless.invoker.local;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.ReplicaId;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where replica logs live: one file per replica, {@code <logs>/<namespace>/<name>/<replica>.log},
 * appended to by the replica's processes (HTTP mode, through a redirect, so no reader thread) or by
 * the classic watchdog ({@link ReplicaLogWriter}).
 *
 * <p>Design note on rotation (issue 8): files grow without bound for now. Since HTTP-mode processes
 * hold the file open in append mode, rotation must be copy-then-truncate (the {@code O_APPEND}
 * writer continues at the new end), or the replica's output must move to a pipe read by the
 * invoker; classic mode writes through {@link ReplicaLogWriter} and can rotate by reopening.
 */
final class ReplicaLogs {
  private static final int TAIL_BYTES = 4096;

  private final Path root;

  ReplicaLogs(Path root) {
    this.root = root;
  }

  /** The log file of one replica; names are reduced to a safe file-name alphabet. */
  Path path(FunctionId function, ReplicaId replica) {
    return root.resolve(safe(function.namespace()))
        .resolve(safe(function.name()))
        .resolve(safe(replica.value()) + ".log");
  }

  /** {@link #path} with its parent directories created. */
  Path prepare(FunctionId function, ReplicaId replica) throws IOException {
    Path p = path(function, replica);
    Files.createDirectories(p.getParent());
    return p;
  }

  /** The last {@code lines} non-blank lines of {@code file}, joined by " | "; "" when none. */
  static String tail(Path file, int lines) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      long start = Math.max(0, f.length() - TAIL_BYTES);
      byte[] buf = new byte[(int) (f.length() - start)];
      f.seek(start);
      f.readFully(buf);
      List<String> all = new ArrayList<>();
      for (String l : new String(buf, StandardCharsets.UTF_8).split("\\R")) {
        if (!l.isBlank()) {
          all.add(l.strip());
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

  private static String safe(String name) {
    String s = name.replaceAll("[^A-Za-z0-9._-]", "_");
    return Arrays.asList("", ".", "..").contains(s) ? "_" + s : s;
  }
}
