package dev.shardless.cluster.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shardless.persistence.async.JobHeader;
import dev.shardless.persistence.async.JobQueue;
import dev.shardless.persistence.async.JobQueue.CancelReply;
import dev.shardless.persistence.async.JobQueue.DeadLetters;
import dev.shardless.persistence.async.JobQueue.JobReply;
import dev.shardless.persistence.async.JobQueue.QueueStatus;
import dev.shardless.persistence.async.JobQueue.Redriven;
import dev.shardless.persistence.async.JobView;
import dev.shardless.scheduler.model.FieldError;
import dev.shardless.scheduler.model.FunctionId;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import scala.concurrent.ExecutionContextExecutor;

/**
 * The Shardless extension {@code /system/async/{name}/…}: what became of async jobs (docs/api.md).
 * Each handler gets a function that exists; {@link SystemApi} checks that and the credentials.
 */
final class AsyncApi {
  static final int DEFAULT_DEAD_LETTER_LIMIT = 100;
  static final int MAX_DEAD_LETTER_LIMIT = 10_000;

  private final ClusterSharding sharding;
  private final ExecutionContextExecutor ec;
  private final Duration timeout;

  AsyncApi(ActorSystem<?> system, Duration timeout) {
    this.sharding = ClusterSharding.get(system);
    this.ec = system.executionContext();
    this.timeout = timeout;
  }

  private EntityRef<JobQueue.Command> queue(FunctionId id) {
    return sharding.entityRefFor(JobQueue.TYPE_KEY, id.entityId());
  }

  /** {@code GET /system/async/{name}}: the queue's counts. */
  CompletionStage<HttpResponse> status(FunctionId id) {
    return queue(id)
        .<QueueStatus>ask(JobQueue.GetQueueStatus::new, timeout)
        .thenApplyAsync(s -> Responses.json(200, statusJson(id, s)), ec);
  }

  /** {@code GET /system/async/{name}/calls/{callId}}. */
  CompletionStage<HttpResponse> job(FunctionId id, String callId) {
    return queue(id)
        .<JobReply>ask(replyTo -> new JobQueue.GetJob(callId, replyTo), timeout)
        .thenApplyAsync(
            r ->
                r.job().isPresent()
                    ? Responses.json(200, jobJson(r.job().get()))
                    : unknownCall(id, callId),
            ec);
  }

  /** {@code DELETE /system/async/{name}/calls/{callId}}: cancels a job that has not run. */
  CompletionStage<HttpResponse> cancel(FunctionId id, String callId) {
    return queue(id)
        .<CancelReply>ask(replyTo -> new JobQueue.Cancel(callId, replyTo), timeout)
        .thenApplyAsync(
            r ->
                switch (r.outcome()) {
                  case CANCELLED -> Responses.json(200, jobJson(r.job().orElseThrow()));
                  case NOT_FOUND -> unknownCall(id, callId);
                  case NOT_CANCELLABLE ->
                      Responses.text(
                          409,
                          "call "
                              + callId
                              + " cannot be cancelled: it is "
                              + r.job().map(j -> lower(j.state())).orElse("running or finished"));
                },
            ec);
  }

  /** {@code GET /system/async/{name}/dead-letters?limit=}. */
  CompletionStage<HttpResponse> deadLetters(FunctionId id, int limit) {
    return queue(id)
        .<DeadLetters>ask(replyTo -> new JobQueue.ListDeadLetters(limit, replyTo), timeout)
        .thenApplyAsync(
            d -> {
              ObjectNode o = FunctionJson.MAPPER.createObjectNode();
              o.put("function", name(id));
              o.put("total", d.total());
              ArrayNode jobs = o.putArray("jobs");
              d.jobs().forEach(j -> jobs.add(jobJson(j)));
              return Responses.json(200, o);
            },
            ec);
  }

  /**
   * {@code POST /system/async/{name}/dead-letters/redrive}: body empty (all) or {@code
   * {"callIds":[…]}}.
   */
  CompletionStage<HttpResponse> redrive(FunctionId id, String body) throws BadRequest {
    List<String> ids = callIds(body);
    return queue(id)
        .<Redriven>ask(replyTo -> new JobQueue.Redrive(ids, replyTo), timeout)
        .thenApplyAsync(
            r -> {
              ObjectNode o = FunctionJson.MAPPER.createObjectNode();
              o.put("function", name(id));
              ArrayNode a = o.putArray("redriven");
              r.callIds().forEach(a::add);
              return Responses.json(200, o);
            },
            ec);
  }

  static int limit(Optional<String> value) throws BadRequest {
    if (value.isEmpty()) {
      return DEFAULT_DEAD_LETTER_LIMIT;
    }
    try {
      int n = Integer.parseInt(value.get().trim());
      if (n >= 1 && n <= MAX_DEAD_LETTER_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new BadRequest(
        "limit",
        "must be an integer in 1.." + MAX_DEAD_LETTER_LIMIT + ", was '" + value.get() + "'");
  }

  private static List<String> callIds(String body) throws BadRequest {
    if (body.isBlank()) {
      return List.of();
    }
    JsonNode json = FunctionJson.parse(body);
    JsonNode ids = json.get("callIds");
    if (ids == null || ids.isNull()) {
      return List.of();
    }
    if (!ids.isArray()) {
      throw new BadRequest("callIds", "must be an array of strings");
    }
    List<String> out = new ArrayList<>(ids.size());
    List<FieldError> errors = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      JsonNode n = ids.get(i);
      if (n.isTextual() && !n.asText().isEmpty()) {
        out.add(n.asText());
      } else {
        errors.add(new FieldError("callIds[" + i + "]", "must be a non-empty string"));
      }
    }
    if (!errors.isEmpty()) {
      throw new BadRequest(errors);
    }
    return out;
  }

  private static HttpResponse unknownCall(FunctionId id, String callId) {
    return Responses.text(
        404,
        "no call "
            + callId
            + " for function "
            + name(id)
            + " (never accepted, or finished longer ago than shardless.async.retain-finished"
            + " jobs)");
  }

  static ObjectNode statusJson(FunctionId id, QueueStatus s) {
    ObjectNode o = FunctionJson.MAPPER.createObjectNode();
    o.put("function", name(id));
    o.put("queued", s.queued());
    o.put("running", s.running());
    o.put("retryWaiting", s.retryWaiting());
    o.put("deadLetters", s.deadLetters());
    o.put("accepted", s.accepted());
    o.put("succeeded", s.succeeded());
    o.put("failed", s.failed());
    o.put("retries", s.retries());
    o.put("callbackFailures", s.callbackFailures());
    o.put("cancelled", s.cancelled());
    o.put("reruns", s.reruns());
    o.put("writes", s.writes());
    o.put("eventsWritten", s.eventsWritten());
    if (s.oldestWaitingEpochMillis() > 0) {
      o.put("oldestWaitingSince", Instant.ofEpochMilli(s.oldestWaitingEpochMillis()).toString());
    }
    return o;
  }

  static ObjectNode jobJson(JobView j) {
    ObjectNode o = FunctionJson.MAPPER.createObjectNode();
    o.put("callId", j.callId());
    o.put("function", j.function());
    o.put("state", lower(j.state()));
    o.put("attempts", j.attempts());
    o.put("method", j.method());
    o.put("path", j.path());
    o.put("acceptedAt", j.acceptedAt().toString());
    j.startedAt().ifPresent(t -> o.put("startedAt", t.toString()));
    j.finishedAt().ifPresent(t -> o.put("finishedAt", t.toString()));
    j.nextAttemptAt().ifPresent(t -> o.put("nextAttemptAt", t.toString()));
    if (j.lastStatus() != 0) {
      o.put("lastStatus", j.lastStatus());
    }
    if (!j.lastError().isEmpty()) {
      o.put("lastError", j.lastError());
    }
    j.result()
        .ifPresent(
            r -> {
              ObjectNode res = o.putObject("result");
              res.put("status", r.status());
              res.put("durationSeconds", InvokeHandler.seconds(r.durationNanos()));
              ObjectNode headers = res.putObject("headers");
              for (JobHeader h : r.headers()) {
                headers.put(h.name(), h.value());
              }
              putBody(res, r.body());
              res.put("truncated", r.truncated());
            });
    j.callback()
        .ifPresent(
            c -> {
              ObjectNode cb = o.putObject("callback");
              cb.put("url", c.url());
              cb.put("state", lower(c.state()));
              cb.put("attempts", c.attempts());
              if (c.lastStatus() != 0) {
                cb.put("lastStatus", c.lastStatus());
              }
              if (!c.lastError().isEmpty()) {
                cb.put("lastError", c.lastError());
              }
            });
    return o;
  }

  /** UTF-8 text as {@code body}; anything else as {@code bodyBase64}. */
  private static void putBody(ObjectNode o, byte[] body) {
    try {
      o.put(
          "body",
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body))
              .toString());
    } catch (CharacterCodingException e) {
      o.put("bodyBase64", Base64.getEncoder().encodeToString(body));
    }
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static String name(FunctionId id) {
    return id.name() + "." + id.namespace();
  }
}
