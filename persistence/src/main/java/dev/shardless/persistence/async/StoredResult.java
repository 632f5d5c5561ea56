package dev.shardless.persistence.async;

import dev.shardless.scheduler.CborSerializable;
import java.util.Arrays;
import java.util.List;

/**
 * A function's response as the queue keeps it: the whole body (at most {@code
 * shardless.async.max-result}) while a callback still has to deliver it, otherwise only its first
 * {@code shardless.async.result-preview} bytes, so that finished jobs stay small in memory,
 * snapshots and events.
 *
 * @param status the function's HTTP status (or the synthetic one of a failed attempt)
 * @param headers the function's response headers, in order
 * @param body the kept bytes: all of them, or a preview
 * @param length how many bytes the queue got from the runner (at most max-result)
 * @param cut true when the function's body was longer than what the queue got (the runner or the
 *     queue cut it at max-result): the callback then says {@code X-Shardless-Result-Truncated}
 * @param durationNanos how long the attempt took
 */
public record StoredResult(
    int status, List<JobHeader> headers, byte[] body, int length, boolean cut, long durationNanos)
    implements CborSerializable {

  public StoredResult {
    headers = headers == null ? List.of() : List.copyOf(headers);
    body = body == null ? new byte[0] : body;
  }

  /**
   * What to keep of an attempt's response: at most {@code keep} bytes of its body ({@code
   * max-result} while a callback needs it, {@code result-preview} otherwise), and whether the
   * function's body was cut at {@code maxResult}.
   */
  static StoredResult of(AttemptOutcome outcome, int keep, long maxResult) {
    byte[] body = outcome.body();
    int length = (int) Math.min(body.length, maxResult);
    boolean cut = outcome.truncated() || body.length > maxResult;
    byte[] kept = body.length <= keep ? body : Arrays.copyOf(body, keep);
    return new StoredResult(
        outcome.status(), outcome.headers(), kept, length, cut, outcome.durationNanos());
  }

  /** This result with at most {@code bytes} of its body, once no callback needs the rest. */
  StoredResult preview(int bytes) {
    if (body.length <= bytes) {
      return this;
    }
    return new StoredResult(
        status, headers, Arrays.copyOf(body, bytes), length, cut, durationNanos);
  }

  /** The visibility endpoints' view: the first {@code bytes} of the body. */
  JobView.ResultView view(int bytes) {
    byte[] shown = body.length <= bytes ? body : Arrays.copyOf(body, bytes);
    return new JobView.ResultView(
        status, headers, shown, cut || length > shown.length, durationNanos);
  }
}
