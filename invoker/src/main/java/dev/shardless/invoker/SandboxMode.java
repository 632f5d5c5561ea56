package dev.shardless.invoker;

import java.util.Locale;

/**
 * {@code shardless.invoker.sandbox}: how function processes are confined. {@link #AUTO} uses
 * bubblewrap when {@code bwrap} works on this machine and runs unconfined (with one warning)
 * otherwise; {@link #BUBBLEWRAP} requires it (the platform refuses to start without it); {@link
 * #NONE} runs functions as plain processes of the node's user.
 */
public enum SandboxMode {
  AUTO,
  BUBBLEWRAP,
  NONE;

  /** Parses {@code auto}, {@code bubblewrap} or {@code none} (any case). */
  public static SandboxMode parse(String key, String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          key + " must be one of auto, bubblewrap, none, was '" + value + "'", e);
    }
  }
}
