package dev.shardless.persistence;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code shardless.persistence.cassandra} settings, used when {@code
 * shardless.persistence.backend = "cassandra"}.
 *
 * <p>Keyspaces: the journal lives in {@code <keyspace-prefix>_journal} (tables {@code messages},
 * {@code metadata}, {@code all_persistence_ids}) and snapshots in {@code
 * <keyspace-prefix>_snapshot} ({@code snapshots}). Both are created when missing, with
 * NetworkTopologyStrategy and {@code replicationFactor} copies in {@code datacenter}; existing
 * keyspaces are left as they are. Example: the defaults give {@code shardless_journal} and {@code
 * shardless_snapshot}, each {@code {'class': 'NetworkTopologyStrategy', 'datacenter1': 1}}.
 *
 * @param contactPoints at least one node to connect to; the driver discovers the rest
 * @param datacenter the driver's local datacenter: it only sends requests there
 * @param keyspacePrefix lower-case CQL name the two keyspace names start with
 * @param replicationFactor copies of each event in {@code datacenter} when a keyspace is created
 * @param requestTimeout bound on one CQL request (a journal write, a replay page, a schema change)
 */
public record CassandraSettings(
    List<ContactPoint> contactPoints,
    String datacenter,
    String keyspacePrefix,
    int replicationFactor,
    Duration requestTimeout) {

  static final String PREFIX = PersistenceSettings.PREFIX + "cassandra.";

  /** CQL keyspace names are at most 48 characters; the longest suffix is "_snapshot" (9). */
  private static final Pattern KEYSPACE_PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,38}");

  /** No ':' (the plugin splits "dc:rf" on it), quotes, commas or spaces. */
  private static final Pattern DATACENTER = Pattern.compile("[A-Za-z0-9_.-]+");

  /** One {@code host:port} the driver connects to first. */
  public record ContactPoint(String host, int port) {
    /** {@code host:port}, with an IPv6 host in brackets: the driver's contact-point syntax. */
    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  public CassandraSettings {
    contactPoints = List.copyOf(contactPoints);
    if (contactPoints.isEmpty()) {
      throw new IllegalArgumentException(
          PREFIX + "contact-points must name at least one host:port");
    }
    if (!DATACENTER.matcher(datacenter).matches()) {
      throw new IllegalArgumentException(
          PREFIX
              + "datacenter must be a datacenter name (letters, digits, '_', '.', '-'), was \""
              + datacenter
              + "\"");
    }
    if (!KEYSPACE_PREFIX.matcher(keyspacePrefix).matches()) {
      throw new IllegalArgumentException(
          PREFIX
              + "keyspace-prefix must be 1..39 of a-z, 0-9, '_', starting with a letter, was \""
              + keyspacePrefix
              + "\"");
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          PREFIX + "replication-factor must be >= 1, was " + replicationFactor);
    }
    if (requestTimeout.isZero() || requestTimeout.isNegative()) {
      throw new IllegalArgumentException(
          PREFIX + "request-timeout must be > 0, was " + requestTimeout);
    }
  }

  /** Reads the {@code cassandra} section of {@code shardless.persistence} ({@code c}). */
  static CassandraSettings fromConfig(Config c) {
    return new CassandraSettings(
        parseContactPoints(c.getString("cassandra.contact-points")),
        c.getString("cassandra.datacenter").trim(),
        c.getString("cassandra.keyspace-prefix").trim(),
        c.getInt("cassandra.replication-factor"),
        c.getDuration("cassandra.request-timeout"));
  }

  /** The journal's keyspace: {@code <keyspace-prefix>_journal}. */
  public String journalKeyspace() {
    return keyspacePrefix + "_journal";
  }

  /** The snapshot store's keyspace: {@code <keyspace-prefix>_snapshot}. */
  public String snapshotKeyspace() {
    return keyspacePrefix + "_snapshot";
  }

  /**
   * Parses a comma-separated {@code host:port} list such as {@code "10.0.0.1:9042, cass-2:9042"} or
   * {@code "[::1]:9042"}; blanks around entries are ignored.
   *
   * @throws IllegalArgumentException naming {@code shardless.persistence.cassandra.contact-points}
   */
  static List<ContactPoint> parseContactPoints(String value) {
    List<ContactPoint> points = new ArrayList<>();
    for (String entry : value.split(",", -1)) {
      String e = entry.trim();
      if (!e.isEmpty()) {
        points.add(parseContactPoint(e));
      }
    }
    if (points.isEmpty()) {
      throw new IllegalArgumentException(
          PREFIX + "contact-points must name at least one host:port, was \"" + value + "\"");
    }
    return points;
  }

  private static ContactPoint parseContactPoint(String entry) {
    String host;
    String port;
    if (entry.startsWith("[")) {
      int close = entry.indexOf("]:");
      host = close < 0 ? "" : entry.substring(1, close);
      port = close < 0 ? "" : entry.substring(close + 2);
    } else {
      int colon = entry.indexOf(':');
      boolean single = colon > 0 && colon == entry.lastIndexOf(':');
      host = single ? entry.substring(0, colon) : "";
      port = single ? entry.substring(colon + 1) : "";
    }
    if (host.isEmpty() || port.isEmpty()) {
      throw new IllegalArgumentException(
          PREFIX
              + "contact-points entries must be host:port (IPv6: [address]:port), was \""
              + entry
              + "\"");
    }
    return new ContactPoint(host, parsePort(entry, port));
  }

  private static int parsePort(String entry, String port) {
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      p = -1;
    }
    if (p < 1 || p > 65535) {
      throw new IllegalArgumentException(
          PREFIX + "contact-points port must be 1..65535, was \"" + entry + "\"");
    }
    return p;
  }
}
