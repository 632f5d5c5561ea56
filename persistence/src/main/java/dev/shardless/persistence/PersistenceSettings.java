package dev.shardless.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code shardless.persistence} settings, parsed and validated once.
 *
 * @param backend the journal backend
 * @param h2File the configured H2 file, or empty for {@code <data-dir>/journal/shardless}
 * @param h2PoolSize connections and Slick threads for H2
 * @param askTimeout how long callers wait for the registry
 * @param cassandra the Cassandra connection and keyspaces; parsed and validated whatever the
 *     backend, used only by {@code cassandra}
 */
public record PersistenceSettings(
    Backend backend,
    Optional<Path> h2File,
    int h2PoolSize,
    Duration askTimeout,
    CassandraSettings cassandra) {

  static final String PREFIX = "shardless.persistence.";

  /** Journal backends. */
  public enum Backend {
    /** Embedded H2 file database through pekko-persistence-jdbc. */
    H2,
    /** An external Cassandra cluster through pekko-persistence-cassandra. */
    CASSANDRA
  }

  public PersistenceSettings {
    if (h2PoolSize < 1 || h2PoolSize > 64) {
      throw new IllegalArgumentException(
          PREFIX + "h2.pool-size must be in 1..64, was " + h2PoolSize);
    }
    if (askTimeout.isZero() || askTimeout.isNegative()) {
      throw new IllegalArgumentException(PREFIX + "ask-timeout must be > 0, was " + askTimeout);
    }
  }

  /**
   * Reads {@code shardless.persistence} from {@code config}, falling back to this module's {@code
   * reference.conf} for missing keys.
   *
   * @throws IllegalArgumentException naming the key when a value is invalid
   */
  public static PersistenceSettings fromConfig(Config config) {
    Config c =
        config
            .withFallback(
                ConfigFactory.defaultReference(PersistenceSettings.class.getClassLoader()))
            .getConfig("shardless.persistence");
    String file = c.getString("h2.file").trim();
    return new PersistenceSettings(
        parseBackend(c.getString("backend")),
        file.isEmpty() ? Optional.empty() : Optional.of(Path.of(file)),
        c.getInt("h2.pool-size"),
        c.getDuration("ask-timeout"),
        CassandraSettings.fromConfig(c));
  }

  private static Backend parseBackend(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "h2" -> Backend.H2;
      case "cassandra" -> Backend.CASSANDRA;
      default ->
          throw new IllegalArgumentException(
              PREFIX + "backend must be \"h2\" or \"cassandra\", was \"" + value + "\"");
    };
  }

  /** The H2 file for a node whose data directory is {@code dataDir}. */
  public Path h2FileFor(Path dataDir) {
    return h2File.orElseGet(() -> dataDir.resolve("journal").resolve("shardless"));
  }
}
