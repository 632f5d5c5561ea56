package dev.shardless.cluster.gateway;

import dev.shardless.persistence.async.AsyncSettings;
import dev.shardless.persistence.async.JobHeader;
import dev.shardless.persistence.async.JobQueue;
import dev.shardless.persistence.async.JobQueue.Accepted;
import dev.shardless.persistence.async.JobQueue.EnqueueReply;
import dev.shardless.persistence.async.JobQueue.Refused;
import dev.shardless.persistence.async.JobRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import scala.concurrent.ExecutionContextExecutor;

/**
 * {@code /async-function/{name}[.{namespace}][/{path}]}: reads the request whole (at most {@code
 * shardless.async.max-body}), hands it to the function's durable {@link JobQueue} and answers 202
 * with {@code X-Call-Id} only once the queue has persisted it. A caller's {@code X-Call-Id} makes
 * the request idempotent: the same id is the same job.
 */
final class AsyncHandler {
  static final String CALLBACK_URL = "X-Callback-Url";
  private static final int MAX_CALL_ID = 128;

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final ExecutionContextExecutor ec;
  private final AsyncSettings settings;
  private final String defaultNamespace;

  AsyncHandler(ActorSystem<?> system, String defaultNamespace, AsyncSettings settings) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.ec = system.executionContext();
    this.settings = settings;
    this.defaultNamespace = defaultNamespace;
  }

  /** Handles {@code /async-function/<rest>}; {@code rest} is the raw path after the prefix. */
  CompletionStage<HttpResponse> accept(HttpRequest request, String rest) {
    InvokeTarget target = InvokeTarget.parse(rest, defaultNamespace);
    if (target == null) {
      return refuse(request, InvokeTarget.notFound(rest));
    }
    Optional<String> suppliedId = request.getHeader(InvokeHandler.CALL_ID).map(HttpHeader::value);
    if (suppliedId.isPresent() && !validCallId(suppliedId.get())) {
      return refuse(
          request,
          Responses.text(
              400,
              "X-Call-Id: must be 1 to "
                  + MAX_CALL_ID
                  + " visible ASCII characters, was '"
                  + abbreviate(suppliedId.get())
                  + "'"));
    }
    Optional<String> callback = request.getHeader(CALLBACK_URL).map(HttpHeader::value);
    if (callback.isPresent()) {
      String problem = callbackProblem(callback.get());
      if (problem != null) {
        return refuse(request, Responses.text(400, CALLBACK_URL + ": " + problem));
      }
    }
    HttpEntity entity = request.entity();
    if (entity.getContentLengthOption().orElse(0) > settings.maxBody()) {
      return refuse(request, tooLarge());
    }
    String callId = suppliedId.orElseGet(InvokeHandler::newCallId);
    CompletableFuture<HttpResponse> result = new CompletableFuture<>();
    entity
        .toStrict(settings.askTimeout().toMillis(), settings.maxBody(), system)
        .whenCompleteAsync(
            (strict, error) -> {
              if (error != null) {
                result.complete(
                    isTooLarge(error)
                        ? tooLarge()
                        : Responses.text(
                            400, "could not read the request body: " + InvokeHandler.brief(error)));
                return;
              }
              JobRequest job =
                  new JobRequest(
                      callId,
                      suppliedId.isPresent(),
                      request.method().name(),
                      target.path(),
                      request.getUri().rawQueryString().orElse(""),
                      jobHeaders(request, strict),
                      strict.getData().toArray(),
                      callback);
              enqueue(target, job, result);
            },
            ec);
    return result;
  }

  private void enqueue(
      InvokeTarget target, JobRequest job, CompletableFuture<HttpResponse> result) {
    sharding
        .entityRefFor(JobQueue.TYPE_KEY, target.function().entityId())
        .<EnqueueReply>ask(replyTo -> new JobQueue.Enqueue(job, replyTo), settings.askTimeout())
        .whenCompleteAsync(
            (reply, error) -> {
              HttpResponse response;
              if (reply instanceof Accepted accepted) {
                response =
                    Responses.text(
                            202,
                            accepted.duplicate()
                                ? "already accepted: " + accepted.callId()
                                : "accepted: " + accepted.callId())
                        .addHeader(RawHeader.create(InvokeHandler.CALL_ID, accepted.callId()));
              } else if (reply instanceof Refused refused) {
                response = Responses.text(refused.status(), refused.reason());
                if (refused.retryAfterSeconds() > 0) {
                  response =
                      response.addHeader(
                          RawHeader.create(
                              "Retry-After", Integer.toString(refused.retryAfterSeconds())));
                }
              } else {
                response =
                    Responses.text(
                            503,
                            "the async queue of "
                                + target.function()
                                + " did not confirm the job in time; it may or may not be"
                                + " queued: retry with the same X-Call-Id ("
                                + job.callId()
                                + ") to be sure it runs once")
                        .addHeader(RawHeader.create("Retry-After", "1"));
              }
              result.complete(response);
            },
            ec);
  }

  /**
   * The caller's headers as forwarded on every attempt: end-to-end ones, {@code X-Forwarded-For}
   * and {@code -Host} as the synchronous path sends them, and the body's {@code Content-Type}
   * (Pekko keeps it on the entity, not among the headers). {@code X-Call-Id} is added by the runner
   * and {@code X-Callback-Url} stays with the gateway.
   */
  private static List<JobHeader> jobHeaders(HttpRequest request, HttpEntity.Strict body) {
    List<HttpHeader> forwarded = InvokeHandler.forwardedHeaders(request);
    List<JobHeader> out = new ArrayList<>(forwarded.size() + 1);
    for (HttpHeader h : forwarded) {
      if (!h.lowercaseName().equals("x-callback-url")) {
        out.add(new JobHeader(h.name(), h.value()));
      }
    }
    if (!body.getContentType().equals(ContentTypes.APPLICATION_OCTET_STREAM)
        || !body.getData().isEmpty()) {
      out.add(new JobHeader("Content-Type", body.getContentType().toString()));
    }
    return out;
  }

  private static boolean validCallId(String id) {
    if (id.isEmpty() || id.length() > MAX_CALL_ID) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c <= ' ' || c > '~') {
        return false;
      }
    }
    return true;
  }

  /** Why {@code url} cannot be a callback target, or null when it can. */
  static String callbackProblem(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return "not a valid URL: " + e.getReason();
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return "must be an absolute http:// or https:// URL, was '" + abbreviate(url) + "'";
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return "has no host: '" + abbreviate(url) + "'";
    }
    return null;
  }

  private HttpResponse tooLarge() {
    return Responses.text(
        413,
        "request body too large for an async job: the limit is "
            + settings.maxBody()
            + " bytes (shardless.async.max-body)");
  }

  private static boolean isTooLarge(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof EntityStreamSizeException) {
        return true;
      }
    }
    return false;
  }

  private CompletionStage<HttpResponse> refuse(HttpRequest request, HttpResponse response) {
    request.discardEntityBytes(system);
    return CompletableFuture.completedFuture(response);
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }
}
