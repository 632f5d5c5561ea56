package dev.shardless.persistence.async;

/** Where a job is in its life. The last four are terminal. */
public enum JobState {
  /** Accepted and waiting for a slot (the per-function async cap) or for a replica. */
  QUEUED,
  /** An attempt is running on a replica. */
  RUNNING,
  /** The last attempt failed with a retryable outcome; the next starts at {@code nextAttemptAt}. */
  RETRY_WAIT,
  /** The function answered with a status that is not retried (2xx, 3xx, most 4xx). */
  SUCCEEDED,
  /** The last attempt failed in a way no retry can fix (the function was deleted). */
  FAILED,
  /** Every allowed attempt failed; kept in the dead letters until redriven. */
  DEAD_LETTERED,
  /** Cancelled by DELETE /system/async/{name}/calls/{callId} before it ran. */
  CANCELLED;

  public boolean terminal() {
    return ordinal() >= SUCCEEDED.ordinal();
  }
}
