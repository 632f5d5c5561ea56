package dev.shardless.invoker.logs;

import dev.shardless.scheduler.model.FunctionId;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where replica logs live: {@code <root>/<namespace>/<name>/<replica>.log}, the active file, and
 * its rotated predecessors {@code <replica>.log.1} (newest) to {@code <replica>.log.<max-files -
 * 1>} (oldest). Names are reduced to a safe file-name alphabet.
 */
public final class LogFiles {
  private static final Pattern LOG = Pattern.compile("(.+)\\.log(?:\\.([1-9][0-9]{0,2}))?");

  private LogFiles() {}

  /** The directory holding every replica log of {@code function}. */
  public static Path functionDir(Path root, FunctionId function) {
    return root.resolve(safe(function.namespace())).resolve(safe(function.name()));
  }

  /** The active log file of one replica. */
  public static Path activeFile(Path functionDir, String replica) {
    return functionDir.resolve(safe(replica) + ".log");
  }

  /** The {@code n}th rotated file of an active log ({@code n >= 1}, 1 is the newest). */
  static Path rotated(Path active, int n) {
    return active.resolveSibling(active.getFileName() + "." + n);
  }

  /** One log file of a replica: {@code generation} 0 is the active file, 1 the newest rotated. */
  record Entry(Path path, String instance, int generation) {}

  /**
   * The log files in {@code functionDir} (of one instance when {@code instance} is not null),
   * oldest first within each instance: {@code .log.2}, {@code .log.1}, {@code .log}.
   */
  static List<Entry> list(Path functionDir, String instance) throws IOException {
    List<Entry> found = new ArrayList<>();
    String wanted = instance == null ? null : safe(instance);
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(functionDir)) {
      for (Path p : dir) {
        Matcher m = LOG.matcher(p.getFileName().toString());
        if (m.matches() && (wanted == null || wanted.equals(m.group(1)))) {
          int generation = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
          found.add(new Entry(p, m.group(1), generation));
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    }
    found.sort(
        Comparator.comparing(Entry::instance)
            .thenComparing(Comparator.comparingInt(Entry::generation).reversed()));
    return found;
  }

  static String safe(String name) {
    String s = name.replaceAll("[^A-Za-z0-9._-]", "_");
    return Arrays.asList("", ".", "..").contains(s) ? "_" + s : s;
  }
}
