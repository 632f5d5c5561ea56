package dev.shardless.scheduler.replay;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Mean execution time per function from an Azure Functions 2019 run-time statistics file ({@code
 * 1250_run.csv} or {@code function_durations_percentiles.anon.dNN.csv}): the {@code Average}
 * column, in milliseconds, joined to the trace on the hash columns both files have.
 */
public final class RuntimeTable {
  private final Map<String, Double> averageMillis;

  private RuntimeTable(Map<String, Double> averageMillis) {
    this.averageMillis = Map.copyOf(averageMillis);
  }

  /** For tests: a table from keys as {@link FunctionTrace#key()} builds them. */
  public static RuntimeTable of(Map<String, Double> averageMillis) {
    return new RuntimeTable(averageMillis);
  }

  public static RuntimeTable read(Path path) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      String headerLine = in.readLine();
      if (headerLine == null) {
        throw new TraceFormatException(path + ": empty file");
      }
      CsvHeader header = new CsvHeader(path.toString(), headerLine);
      CsvHeader.KeyColumns keys = header.keyColumns();
      int average = header.require("Average");
      Map<String, Double> map = new HashMap<>();
      int line = 1;
      for (String text = in.readLine(); text != null; text = in.readLine()) {
        line++;
        if (text.isBlank()) {
          continue;
        }
        String[] cells = text.split(",", -1);
        if (cells.length != header.size()) {
          throw new TraceFormatException(
              path + ":" + line + ": " + cells.length + " cells, header has " + header.size());
        }
        try {
          map.put(keys.key(cells), Double.parseDouble(cells[average].trim()));
        } catch (NumberFormatException e) {
          throw new TraceFormatException(
              path + ":" + line + ": column Average is not a number: '" + cells[average] + "'");
        }
      }
      return new RuntimeTable(map);
    }
  }

  /** The mean run time in ms, or -1 when the function is not in the table. */
  public double averageMillis(String key) {
    Double v = averageMillis.get(key);
    return v == null ? -1 : v;
  }

  public int size() {
    return averageMillis.size();
  }
}
