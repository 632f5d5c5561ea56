package dev.shardless.invoker.logs;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code shardless.invoker.logs} settings (see {@code reference.conf}).
 *
 * @param maxFileSize {@code max-file-size}: bytes after which a replica's active log is rotated
 * @param maxFiles {@code max-files}: files kept per replica, the active one included
 * @param followPollInterval {@code follow-poll-interval}: how often a follower looks for new lines
 */
public record LogSettings(long maxFileSize, int maxFiles, Duration followPollInterval) {
  public static final String PATH = "shardless.invoker.logs";
  private static final int MAX_FILES = 100;

  public LogSettings {
    if (maxFileSize < 1) {
      throw new IllegalArgumentException(
          PATH + ".max-file-size must be >= 1 byte, was " + maxFileSize);
    }
    if (maxFiles < 1 || maxFiles > MAX_FILES) {
      throw new IllegalArgumentException(
          PATH + ".max-files must be in 1.." + MAX_FILES + ", was " + maxFiles);
    }
    if (followPollInterval == null
        || followPollInterval.isZero()
        || followPollInterval.isNegative()) {
      throw new IllegalArgumentException(
          PATH + ".follow-poll-interval must be > 0, was " + followPollInterval);
    }
  }

  /** Reads {@code shardless.invoker.logs} from the full configuration. */
  public static LogSettings fromConfig(Config root) {
    Config c = root.getConfig(PATH);
    return new LogSettings(
        c.getBytes("max-file-size"), c.getInt("max-files"), c.getDuration("follow-poll-interval"));
  }

  /** The most bytes one replica's logs take on disk (a single line longer than a file aside). */
  public long maxBytesPerReplica() {
    return maxFileSize * maxFiles;
  }
}
