package dev.shardless.persistence.async;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A {@link CallbackSender} that tells an observer every delivery and answers with scripted statuses
 * per receiver URL (200 when none is left), or holds deliveries open until the test completes them.
 */
final class RecordingCallbacks implements CallbackSender {
  /** One delivery: complete {@code outcome} to end it (already done unless holding). */
  record Delivery(
      String url,
      List<JobHeader> headers,
      byte[] body,
      CompletableFuture<CallbackOutcome> outcome) {
    Optional<String> header(String name) {
      return headers.stream()
          .filter(h -> h.name().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)))
          .map(JobHeader::value)
          .findFirst();
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final ActorRef<Delivery> observer;
  private final Map<String, Queue<Integer>> statuses = new ConcurrentHashMap<>();
  private volatile boolean holding;

  RecordingCallbacks(ActorRef<Delivery> observer) {
    this.observer = observer;
  }

  /** Deliveries to {@code url} get these statuses in order (0: unreachable), then 200. */
  RecordingCallbacks answer(String url, Integer... answers) {
    statuses.put(url, new ConcurrentLinkedQueue<>(List.of(answers)));
    return this;
  }

  RecordingCallbacks holding(boolean hold) {
    this.holding = hold;
    return this;
  }

  @Override
  public CompletionStage<CallbackOutcome> deliver(
      String url, List<JobHeader> headers, byte[] body) {
    CompletableFuture<CallbackOutcome> outcome = new CompletableFuture<>();
    observer.tell(new Delivery(url, headers, body, outcome));
    if (!holding) {
      Queue<Integer> q = statuses.get(url);
      Integer status = q == null ? null : q.poll();
      int s = status == null ? 200 : status;
      outcome.complete(new CallbackOutcome(s, s == 0 ? "connection refused" : ""));
    }
    return outcome;
  }
}
