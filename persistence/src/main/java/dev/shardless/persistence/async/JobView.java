package dev.shardless.persistence.async;

import dev.shardless.scheduler.CborSerializable;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the visibility endpoints show of one job.
 *
 * @param callId the job's {@code X-Call-Id}
 * @param function {@code name.namespace}
 * @param state where the job is
 * @param attempts attempts started so far (an attempt interrupted by a crash counts)
 * @param acceptedAt when the 202 went out
 * @param startedAt when the last attempt started
 * @param finishedAt when the job reached its terminal state
 * @param nextAttemptAt when a job in RETRY_WAIT runs again
 * @param lastStatus the last attempt's status (0 before the first attempt ends)
 * @param lastError the last attempt's error, empty when none
 * @param method the request's method
 * @param path the request's path
 * @param result the last response: status, headers and the start of its body
 * @param callback the callback's delivery, when the job has one
 */
public record JobView(
    String callId,
    String function,
    JobState state,
    int attempts,
    Instant acceptedAt,
    Optional<Instant> startedAt,
    Optional<Instant> finishedAt,
    Optional<Instant> nextAttemptAt,
    int lastStatus,
    String lastError,
    String method,
    String path,
    Optional<ResultView> result,
    Optional<CallbackView> callback)
    implements CborSerializable {

  /**
   * The start of a function's response.
   *
   * @param status the HTTP status
   * @param headers the response headers
   * @param body at most {@code shardless.async.result-preview} bytes of the body
   * @param truncated true when the body was longer than {@code body}
   * @param durationNanos how long the attempt took
   */
  public record ResultView(
      int status, List<JobHeader> headers, byte[] body, boolean truncated, long durationNanos)
      implements CborSerializable {}

  /** The state of a callback's delivery. */
  public enum CallbackState {
    PENDING,
    DELIVERED,
    FAILED
  }

  /**
   * A job's callback.
   *
   * @param url the {@code X-Callback-Url}
   * @param state PENDING until delivered (2xx) or given up (FAILED, with the reason)
   * @param attempts delivery attempts so far
   * @param lastStatus the receiver's last status (0: not reached)
   * @param lastError the last error, empty when none
   */
  public record CallbackView(
      String url, CallbackState state, int attempts, int lastStatus, String lastError)
      implements CborSerializable {}
}
