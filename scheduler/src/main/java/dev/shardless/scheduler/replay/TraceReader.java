package dev.shardless.scheduler.replay;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams the rows of a per-minute invocation trace in the Azure Functions 2019 format, one
 * function at a time, so that memory does not grow with the number of functions.
 *
 * <p>Both published schemas are accepted, told apart by header names rather than positions: the
 * original {@code HashOwner,HashApp,HashFunction,Trigger,1,2,…,1440} and the vHive excerpt {@code
 * HashFunction,HashApp,HashOwner,minute_1,…}. Minute columns are those named {@code N} or {@code
 * minute_N}; they may be any window (e.g. {@code 480}…{@code 959}) but must be consecutive and
 * ascending. Other columns (such as {@code Trigger}) are ignored. An empty count reads as 0.
 */
public final class TraceReader implements Closeable {
  private final String file;
  private final BufferedReader in;
  private final CsvHeader header;
  private final CsvHeader.KeyColumns keys;
  private final int firstColumn;
  private final int firstMinute;
  private final int minutes;
  private int line = 1;

  private TraceReader(String file, BufferedReader in, String headerLine) {
    this.file = file;
    this.in = in;
    this.header = new CsvHeader(file, headerLine);
    this.keys = header.keyColumns();
    int first = -1;
    int count = 0;
    for (int c = 0; c < header.size(); c++) {
      int minute = CsvHeader.minuteOf(header.name(c));
      if (minute < 0) {
        continue;
      }
      if (first < 0) {
        first = c;
      } else if (c != first + count || minute != CsvHeader.minuteOf(header.name(first)) + count) {
        throw new TraceFormatException(
            file
                + ": minute columns must be consecutive, found '"
                + header.name(c)
                + "' after '"
                + header.name(c - 1)
                + "'");
      }
      count++;
    }
    if (first < 0) {
      throw new TraceFormatException(file + ": header has no minute columns (named N or minute_N)");
    }
    this.firstColumn = first;
    this.firstMinute = CsvHeader.minuteOf(header.name(first));
    this.minutes = count;
  }

  /** Opens {@code path} and reads its header. */
  public static TraceReader open(Path path) throws IOException {
    BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8);
    String headerLine = in.readLine();
    if (headerLine == null) {
      in.close();
      throw new TraceFormatException(path + ": empty file");
    }
    try {
      return new TraceReader(path.toString(), in, headerLine);
    } catch (TraceFormatException e) {
      in.close();
      throw e;
    }
  }

  /** The minute number of the first minute column (1 for {@code minute_1}). */
  public int firstMinute() {
    return firstMinute;
  }

  /** How many minute columns each row has. */
  public int minutes() {
    return minutes;
  }

  /** The next function, or null at the end of the file. Blank lines are skipped. */
  public FunctionTrace next() {
    String text;
    try {
      do {
        text = in.readLine();
        line++;
      } while (text != null && text.isBlank());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (text == null) {
      return null;
    }
    String[] cells = text.split(",", -1);
    if (cells.length != header.size()) {
      throw new TraceFormatException(
          file + ":" + line + ": " + cells.length + " cells, header has " + header.size());
    }
    int[] counts = new int[minutes];
    for (int i = 0; i < minutes; i++) {
      counts[i] = count(cells[firstColumn + i], firstColumn + i);
    }
    return new FunctionTrace(keys.key(cells), firstMinute, counts);
  }

  private int count(String cell, int column) {
    String s = cell.trim();
    if (s.isEmpty()) {
      return 0;
    }
    try {
      int v = s.indexOf('.') >= 0 ? (int) Double.parseDouble(s) : Integer.parseInt(s);
      if (v < 0) {
        throw new NumberFormatException("negative");
      }
      return v;
    } catch (NumberFormatException e) {
      throw new TraceFormatException(
          file + ":" + line + ": column " + header.name(column) + " is not a count: '" + s + "'");
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
