package dev.shardless.persistence.async;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Attempt outcomes for tests. */
final class Outcomes {
  private Outcomes() {}

  static AttemptOutcome ok(String body) {
    return response(200, body);
  }

  static AttemptOutcome response(int status, String body, JobHeader... headers) {
    return new AttemptOutcome(
        AttemptOutcome.Kind.RESPONSE,
        status,
        List.of(headers),
        body.getBytes(StandardCharsets.UTF_8),
        false,
        1_234_000,
        "");
  }

  static AttemptOutcome connectionError() {
    return new AttemptOutcome(
        AttemptOutcome.Kind.CONNECTION_ERROR, 502, List.of(), null, false, 1000, "refused");
  }

  static AttemptOutcome rejected(int status) {
    return new AttemptOutcome(
        AttemptOutcome.Kind.REJECTED, status, List.of(), null, false, 1000, "no slot");
  }
}
