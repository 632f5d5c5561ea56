package dev.shardless.scheduler.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Column lookup in the header of an Azure Functions 2019 CSV file. */
final class CsvHeader {
  static final String FUNCTION = "HashFunction";
  static final String APP = "HashApp";
  static final String OWNER = "HashOwner";

  private final String file;
  private final List<String> names;

  CsvHeader(String file, String line) {
    this.file = file;
    List<String> list = new ArrayList<>();
    for (String name : line.split(",", -1)) {
      list.add(name.trim());
    }
    this.names = List.copyOf(list);
  }

  int size() {
    return names.size();
  }

  String name(int column) {
    return names.get(column);
  }

  /** Index of the column, or -1. Case-insensitive. */
  int find(String name) {
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equalsIgnoreCase(name)) {
        return i;
      }
    }
    return -1;
  }

  int require(String name) {
    int i = find(name);
    if (i < 0) {
      throw new TraceFormatException(file + ": header has no column " + name + ": " + names);
    }
    return i;
  }

  /** The function's identity from the hash columns this header has: owner/app/function. */
  KeyColumns keyColumns() {
    return new KeyColumns(find(OWNER), find(APP), require(FUNCTION));
  }

  /** The minute number of a column named {@code minute_N} or {@code N}, or -1. */
  static int minuteOf(String name) {
    String s = name.toLowerCase(Locale.ROOT);
    if (s.startsWith("minute_")) {
      s = s.substring("minute_".length());
    }
    if (s.isEmpty() || s.length() > 9) {
      return -1;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return -1;
      }
    }
    return Integer.parseInt(s);
  }

  /** Where the hashes are; owner and app may be absent (-1). */
  record KeyColumns(int owner, int app, int function) {
    String key(String[] cells) {
      return (owner < 0 ? "" : cells[owner])
          + "/"
          + (app < 0 ? "" : cells[app])
          + "/"
          + cells[function];
    }
  }
}
