package dev.shardless.cluster.gateway;

import dev.shardless.invoker.logs.LogFormat;
import dev.shardless.scheduler.model.FieldError;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parameters of {@code GET /system/logs} as faas-cli sends them: {@code name} (required, may be
 * {@code name.namespace}), {@code instance} (one replica), {@code tail} (last N lines; 0 or
 * negative, as faas-cli sends by default, means all), {@code since} (RFC 3339), {@code follow}
 * ({@code true}/{@code false}). {@code namespace} is read by the function lookup.
 *
 * @param since null when absent
 * @param instance null when absent
 */
record LogQuery(String name, String instance, int tail, Instant since, boolean follow) {

  /** Reads and checks the parameters; every bad one is named in the 400. */
  static LogQuery parse(Map<String, String> params) throws BadRequest {
    List<FieldError> errors = new ArrayList<>();
    String name = params.get("name");
    if (name == null || name.isBlank()) {
      errors.add(new FieldError("name", "is required"));
    }
    int tail = 0;
    String tailText = params.get("tail");
    if (tailText != null && !tailText.isEmpty()) {
      try {
        tail = Integer.parseInt(tailText);
      } catch (NumberFormatException e) {
        errors.add(
            new FieldError("tail", "must be a whole number of lines, was '" + tailText + "'"));
      }
    }
    Instant since = null;
    String sinceText = params.get("since");
    if (sinceText != null && !sinceText.isEmpty()) {
      try {
        since = LogFormat.parseRfc3339(sinceText);
      } catch (IllegalArgumentException e) {
        errors.add(new FieldError("since", e.getMessage()));
      }
    }
    String followText = params.getOrDefault("follow", "");
    boolean follow = followText.equalsIgnoreCase("true") || followText.equals("1");
    if (!follow
        && !followText.isEmpty()
        && !followText.equalsIgnoreCase("false")
        && !followText.equals("0")) {
      errors.add(new FieldError("follow", "must be true or false, was '" + followText + "'"));
    }
    String instance = params.get("instance");
    if (!errors.isEmpty()) {
      throw new BadRequest(errors);
    }
    return new LogQuery(
        name, instance == null || instance.isEmpty() ? null : instance, tail, since, follow);
  }
}
