package dev.shardless.persistence.async;

import java.util.List;
import java.util.Objects;

/**
 * What one attempt of a job came to, as the {@link JobRunner} observed it.
 *
 * @param kind how the attempt ended
 * @param status the function's HTTP status for {@link Kind#RESPONSE}; for the others the status a
 *     synchronous caller would have seen (502 connection error, 504 timeout, the entity's 404 / 429
 *     / 503 / 504 for a rejected lease)
 * @param headers the function's response headers (RESPONSE only; hop-by-hop removed)
 * @param body the function's response body, at most {@code shardless.async.max-result} bytes
 * @param truncated true when the function answered more than that and the rest was dropped
 * @param durationNanos from asking for the lease to the end of the response
 * @param error a short reason for anything but RESPONSE, else empty
 */
public record AttemptOutcome(
    Kind kind,
    int status,
    List<JobHeader> headers,
    byte[] body,
    boolean truncated,
    long durationNanos,
    String error) {

  /** How an attempt ended. */
  public enum Kind {
    /** The function answered (any status). */
    RESPONSE,
    /** The replica could not be reached or broke the connection (no complete response). */
    CONNECTION_ERROR,
    /** The function did not answer within its timeout. */
    TIMEOUT,
    /** The function's entity gave no slot ({@code status} 404, 429, 503 or 504). */
    REJECTED
  }

  public AttemptOutcome {
    Objects.requireNonNull(kind, "kind");
    headers = headers == null ? List.of() : List.copyOf(headers);
    body = body == null ? new byte[0] : body;
    error = error == null ? "" : error;
  }
}
