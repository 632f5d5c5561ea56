package dev.shardless.persistence.async;

import dev.shardless.scheduler.model.FunctionId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a finished job's callback POSTs, as OpenFaaS does: the function's response body and headers,
 * plus {@code X-Call-Id}, {@code X-Function-Status}, {@code X-Function-Name} ({@code
 * name.namespace}) and {@code X-Duration-Seconds} (seconds with 6 decimals), and {@code
 * X-Shardless-Result-Truncated: true} when the body was cut at {@code shardless.async.max-result}.
 *
 * <p>Of the function's headers, the hop-by-hop ones (RFC 9110 §7.6.1, and any the response's {@code
 * Connection} names), {@code Content-Length} and {@code Transfer-Encoding} (the sender frames the
 * body itself) and the five above (ours win) are left out. A job that ended without a response
 * (connection error, timeout, refused, function deleted) sends its error as {@code text/plain}.
 */
record CallbackMessage(List<JobHeader> headers, byte[] body) {
  private static final Set<String> DROPPED =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "trailer",
          "upgrade",
          "content-length",
          "transfer-encoding",
          "x-call-id",
          "x-function-status",
          "x-function-name",
          "x-duration-seconds",
          "x-shardless-result-truncated");

  /** The callback of {@code job}, which has finished. */
  static CallbackMessage of(FunctionId function, StoredJob job) {
    List<JobHeader> headers = new ArrayList<>();
    byte[] body;
    long durationNanos;
    boolean cut;
    if (job.result().isPresent()) {
      StoredResult r = job.result().get();
      headers.addAll(endToEnd(r.headers()));
      body = r.body();
      durationNanos = r.durationNanos();
      cut = r.cut();
    } else {
      headers.add(new JobHeader("Content-Type", "text/plain; charset=utf-8"));
      body = job.lastError().getBytes(StandardCharsets.UTF_8);
      durationNanos = 0;
      cut = false;
    }
    headers.add(new JobHeader("X-Call-Id", job.callId()));
    headers.add(new JobHeader("X-Function-Status", Integer.toString(status(job))));
    headers.add(new JobHeader("X-Function-Name", function.toString()));
    headers.add(new JobHeader("X-Duration-Seconds", seconds(durationNanos)));
    if (cut) {
      headers.add(new JobHeader("X-Shardless-Result-Truncated", "true"));
    }
    return new CallbackMessage(List.copyOf(headers), body);
  }

  /** {@code headers} without the hop-by-hop ones, those {@code Connection} lists, and ours. */
  static List<JobHeader> endToEnd(List<JobHeader> headers) {
    Set<String> dropped = new HashSet<>(DROPPED);
    for (JobHeader h : headers) {
      if (h.name().equalsIgnoreCase("connection")) {
        for (String token : h.value().split(",")) {
          dropped.add(token.trim().toLowerCase(Locale.ROOT));
        }
      }
    }
    return headers.stream()
        .filter(h -> !dropped.contains(h.name().toLowerCase(Locale.ROOT)))
        .toList();
  }

  /** {@code 0.001234} for 1,234,000 ns: Go's {@code %f} of seconds, as the OpenFaaS gateway. */
  static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.6f", nanos / 1e9);
  }

  /** The job's final status; 500 if it somehow has none (never seen: every end sets one). */
  private static int status(StoredJob job) {
    return job.lastStatus() > 0 ? job.lastStatus() : 500;
  }
}
