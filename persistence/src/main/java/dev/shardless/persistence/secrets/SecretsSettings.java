package dev.shardless.persistence.secrets;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code shardless.secrets} settings, parsed and validated once.
 *
 * @param key the base64 key shared by every node, or empty to use the key file
 * @param keyFile the configured key file, or empty for {@code <data-dir>/secrets.key}
 * @param maxValueBytes the largest secret value accepted, in bytes
 */
public record SecretsSettings(Optional<String> key, Optional<Path> keyFile, int maxValueBytes) {
  static final String PREFIX = "shardless.secrets.";

  public SecretsSettings {
    if (maxValueBytes < 1 || maxValueBytes > 1024 * 1024) {
      throw new IllegalArgumentException(
          PREFIX + "max-value-size must be in 1..1048576 bytes, was " + maxValueBytes);
    }
  }

  /** Reads {@code shardless.secrets}, falling back to this module's {@code reference.conf}. */
  public static SecretsSettings fromConfig(Config config) {
    Config c =
        config
            .withFallback(ConfigFactory.defaultReference(SecretsSettings.class.getClassLoader()))
            .getConfig("shardless.secrets");
    String key = c.getString("key").trim();
    String file = c.getString("key-file").trim();
    long max = c.getBytes("max-value-size");
    if (max > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(PREFIX + "max-value-size is too large, was " + max);
    }
    return new SecretsSettings(
        key.isEmpty() ? Optional.empty() : Optional.of(key),
        file.isEmpty() ? Optional.empty() : Optional.of(Path.of(file)),
        (int) max);
  }

  /** The key file for a node whose data directory is {@code dataDir}. */
  public Path keyFileFor(Path dataDir) {
    return keyFile.orElseGet(() -> dataDir.resolve("secrets.key"));
  }

  @Override
  public String toString() {
    return "SecretsSettings[key="
        + (key.isPresent() ? "<set>" : "<unset>")
        + ", keyFile="
        + keyFile
        + ", maxValueBytes="
        + maxValueBytes
        + "]";
  }
}
