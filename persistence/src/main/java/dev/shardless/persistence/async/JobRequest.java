package dev.shardless.persistence.async;

import dev.shardless.scheduler.CborSerializable;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An accepted asynchronous invocation, as the gateway received it: replayed to the function on
 * every attempt with the same {@code X-Call-Id}.
 *
 * @param callId the job's id: the caller's {@code X-Call-Id}, or one the gateway generated
 * @param callerSuppliedId true when the caller sent {@code X-Call-Id} (the request is then
 *     idempotent: the same id within the queue's retention is the same job)
 * @param method the HTTP method
 * @param path the path after the function name, starting with {@code /} (raw, still encoded)
 * @param rawQuery the raw query string without {@code ?}, empty when none
 * @param headers the caller's end-to-end headers (hop-by-hop, {@code X-Callback-Url} and {@code
 *     X-Call-Id} removed; the runner adds {@code X-Call-Id} back)
 * @param body the request body (at most {@code shardless.async.max-body} bytes)
 * @param callbackUrl where to POST the result, from {@code X-Callback-Url}
 */
public record JobRequest(
    String callId,
    boolean callerSuppliedId,
    String method,
    String path,
    String rawQuery,
    List<JobHeader> headers,
    byte[] body,
    Optional<String> callbackUrl)
    implements CborSerializable {
  public JobRequest {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(method, "method");
    path = path == null || path.isEmpty() ? "/" : path;
    rawQuery = rawQuery == null ? "" : rawQuery;
    headers = headers == null ? List.of() : List.copyOf(headers);
    body = body == null ? new byte[0] : body;
    callbackUrl = callbackUrl == null ? Optional.empty() : callbackUrl;
  }
}
