package dev.shardless.cluster.gateway;

import dev.shardless.persistence.async.CallbackSender;
import dev.shardless.persistence.async.JobHeader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import scala.concurrent.ExecutionContextExecutor;

/**
 * Delivers job results to {@code X-Callback-Url}s with the node's pooled HTTP client: one POST per
 * attempt, bounded by {@code shardless.async.callback.timeout}; the receiver's body is discarded.
 */
public final class HttpCallbackSender implements CallbackSender {
  private final ActorSystem<?> system;
  private final Http http;
  private final ExecutionContextExecutor ec;
  private final Duration timeout;

  public HttpCallbackSender(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.http = Http.get(system);
    this.ec = system.executionContext();
    this.timeout = timeout;
  }

  @Override
  public CompletionStage<CallbackOutcome> deliver(
      String url, List<JobHeader> headers, byte[] body) {
    CompletableFuture<CallbackOutcome> out = new CompletableFuture<>();
    Cancellable timer =
        system
            .classicSystem()
            .scheduler()
            .scheduleOnce(
                timeout,
                () -> out.complete(new CallbackOutcome(0, "no answer within " + timeout)),
                ec);
    try {
      http.singleRequest(Messages.request("POST", url, headers, body))
          .whenCompleteAsync(
              (response, error) -> {
                timer.cancel();
                if (error != null) {
                  out.complete(new CallbackOutcome(0, InvokeHandler.brief(error)));
                  return;
                }
                response.discardEntityBytes(system);
                int status = response.status().intValue();
                out.complete(
                    new CallbackOutcome(
                        status,
                        status >= 200 && status < 300
                            ? ""
                            : "the callback URL answered " + status));
              },
              ec);
    } catch (RuntimeException e) {
      // A URL Pekko cannot even turn into a request (checked at accept time, so rare).
      timer.cancel();
      out.complete(new CallbackOutcome(0, InvokeHandler.brief(e)));
    }
    return out;
  }
}
