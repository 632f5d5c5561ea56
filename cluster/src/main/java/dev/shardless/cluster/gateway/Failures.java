package dev.shardless.cluster.gateway;

import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.apache.pekko.stream.StreamTcpException;

/** What went wrong behind a failed {@code CompletionStage}. */
public final class Failures {
  private Failures() {}

  /** The cause a {@link CompletionException} wraps, or {@code error} itself. */
  public static Throwable cause(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  /**
   * True when {@code error} says that no connection could be made (refused, unreachable): the
   * request never reached the other side. Pekko reports it as a {@link StreamTcpException} without
   * a cause, naming the {@code Connect} command in its message.
   */
  public static boolean notConnected(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConnectException
          || (t instanceof StreamTcpException
              && t.getMessage() != null
              && t.getMessage().startsWith("Tcp command [Connect("))) {
        return true;
      }
    }
    return false;
  }
}
