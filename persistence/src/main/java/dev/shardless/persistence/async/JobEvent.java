package dev.shardless.persistence.async;

import dev.shardless.scheduler.CborSerializable;
import java.util.Optional;

/**
 * What a {@link JobQueue} writes to its journal. Times are epoch milliseconds from the queue's
 * clock. Events stay small: only {@link JobAccepted} carries a request body, and a result carries
 * its whole body only while a callback still has to deliver it (else a preview).
 *
 * <p>The job's attempt number is in {@link JobStarted}; the events that end an attempt apply to the
 * attempt running then. A {@link JobStarted} for a job whose previous attempt has no ending event
 * is a rerun: that attempt was interrupted by a crash or a hand-off.
 */
public sealed interface JobEvent extends CborSerializable {

  /** The job is accepted (the 202 goes out after this is written). */
  record JobAccepted(JobRequest request, long atMillis) implements JobEvent {}

  /** Attempt {@code attempt} (1-based over the job's life) starts. */
  record JobStarted(String callId, int attempt, long atMillis) implements JobEvent {}

  /** The running attempt got an answer that stands (any status the retry policy does not retry). */
  record JobSucceeded(String callId, long atMillis, StoredResult result) implements JobEvent {}

  /**
   * The running attempt failed: the job waits until {@code retryAtMillis} (RETRY_WAIT), or, when
   * that is 0, it is FAILED for good (not retryable: the function is not deployed).
   */
  record JobFailed(
      String callId,
      long atMillis,
      int status,
      String error,
      Optional<StoredResult> result,
      long retryAtMillis)
      implements JobEvent {}

  /**
   * The job is in the dead letters: its last allowed attempt failed (then it ends that attempt), or
   * it was waiting when its function was deleted ({@code error} says why).
   */
  record JobDeadLettered(
      String callId, long atMillis, int status, String error, Optional<StoredResult> result)
      implements JobEvent {}

  /** The job was cancelled while QUEUED or RETRY_WAIT. */
  record JobCancelled(String callId, long atMillis) implements JobEvent {}

  /** A dead letter is queued again (at the back) with a fresh attempt budget. */
  record JobRedriven(String callId, long atMillis) implements JobEvent {}

  /** The callback's delivery attempt {@code attempt} got a 2xx. */
  record CallbackDelivered(String callId, int attempt, long atMillis, int status)
      implements JobEvent {}

  /**
   * The callback's delivery attempt {@code attempt} failed: due again at {@code retryAtMillis}, or
   * given up when that is 0.
   */
  record CallbackFailed(
      String callId, int attempt, long atMillis, int status, String error, long retryAtMillis)
      implements JobEvent {}
}
