package dev.shardless.invoker.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the logs of one function's replicas (all of them, or one instance), active and rotated
 * files, stopped replicas included. Blocking: call it off the dispatcher threads. Not thread-safe:
 * one reader per request.
 *
 * <p>A cursor: {@link #poll()} returns the complete lines written since the previous call (the
 * first call: everything on disk), ordered by time. It remembers how far it read each file by the
 * file's identity (inode), so a file renamed by rotation between two polls is finished, not read
 * again; a file it has not seen before (a new replica, or a fresh active file) is read from its
 * start. A line still being written (no newline yet) waits for the next poll. A rotation that
 * happens between listing and reading a file may duplicate or skip a few lines of a follower.
 */
public final class LogReader {
  private final Path functionDir;
  private final String instance;
  private final Map<Object, Long> offsets = new HashMap<>();

  /**
   * @param functionDir {@link LogFiles#functionDir}
   * @param instance one replica's name, or null for all
   */
  public LogReader(Path functionDir, String instance) {
    this.functionDir = functionDir;
    this.instance = instance;
  }

  /** The lines written since the last call, ordered by time (stable for equal times). */
  public List<LogLine> poll() throws IOException {
    List<LogLine> lines = new ArrayList<>();
    Map<Object, Long> seen = new HashMap<>();
    for (LogFiles.Entry e : LogFiles.list(functionDir, instance)) {
      BasicFileAttributes a;
      try {
        a = Files.readAttributes(e.path(), BasicFileAttributes.class);
      } catch (NoSuchFileException gone) {
        continue; // rotated away meanwhile
      }
      Object key = a.fileKey() != null ? a.fileKey() : e.path();
      long from = offsets.getOrDefault(key, 0L);
      if (a.size() < from) {
        from = 0; // truncated
      }
      long to = read(e, from, a, lines);
      seen.put(key, to);
    }
    offsets.clear();
    offsets.putAll(seen);
    lines.sort(Comparator.comparing(LogLine::timestamp));
    return lines;
  }

  /** Reads complete lines of {@code e} from byte {@code from}; returns the offset reached. */
  private static long read(LogFiles.Entry e, long from, BasicFileAttributes a, List<LogLine> out)
      throws IOException {
    long size = a.size();
    if (size <= from) {
      return from;
    }
    byte[] bytes;
    try (FileChannel ch = FileChannel.open(e.path(), StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8, size - from));
      ch.position(from);
      while (buf.hasRemaining() && ch.read(buf) > 0) {
        // keep reading
      }
      bytes = new byte[buf.position()];
      buf.flip().get(bytes);
    } catch (NoSuchFileException gone) {
      return from;
    }
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    if (end == 0) {
      return from;
    }
    Instant previous = a.lastModifiedTime().toInstant();
    for (String line : new String(bytes, 0, end - 1, StandardCharsets.UTF_8).split("\n", -1)) {
      Instant at = LogFormat.storedTime(line).orElse(previous);
      previous = at;
      out.add(new LogLine(e.instance(), at, LogFormat.storedText(line)));
    }
    return from + end;
  }

  /**
   * The lines at or after {@code since} (when not null), then the last {@code tail} of them (when
   * {@code tail > 0}). Example: times 1,2,3,4, since 2, tail 2 → 3,4.
   */
  public static List<LogLine> select(List<LogLine> lines, Instant since, int tail) {
    List<LogLine> kept = new ArrayList<>(lines.size());
    for (LogLine l : lines) {
      if (since == null || !l.timestamp().isBefore(since)) {
        kept.add(l);
      }
    }
    return tail > 0 && kept.size() > tail ? kept.subList(kept.size() - tail, kept.size()) : kept;
  }
}
