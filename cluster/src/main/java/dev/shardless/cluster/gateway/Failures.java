package dev.shardless.cluster.gateway;

import java.util.concurrent.CompletionException;

/** What went wrong behind a failed {@code CompletionStage}. */
public final class Failures {
  private Failures() {}

  /** The cause a {@link CompletionException} wraps, or {@code error} itself. */
  public static Throwable cause(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }
}
