package dev.shardless.scheduler.replay;

/** A trace or statistics file that cannot be read; the message names the file, line and column. */
public final class TraceFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TraceFormatException(String message) {
    super(message);
  }
}
