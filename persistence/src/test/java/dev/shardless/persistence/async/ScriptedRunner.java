package dev.shardless.persistence.async;

import dev.shardless.scheduler.model.FunctionId;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A {@link JobRunner} that answers each job from a script (outcomes in order, the last repeated),
 * 200 "ok" when the job has none, or holds every attempt open until the test completes it. Every
 * attempt is told to an observer, and the most attempts ever open at once is kept.
 */
final class ScriptedRunner implements JobRunner {
  /** One attempt: complete {@code outcome} to end it (already done unless holding). */
  record Run(
      FunctionId function, JobRequest job, int attempt, CompletableFuture<AttemptOutcome> outcome) {
    String callId() {
      return job.callId();
    }
  }

  private final ActorRef<Run> observer;
  private final Map<String, Deque<AttemptOutcome>> scripts = new ConcurrentHashMap<>();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger mostOpen = new AtomicInteger();
  private volatile boolean holding;
  private volatile AttemptOutcome otherwise = Outcomes.ok("ok");

  ScriptedRunner(ActorRef<Run> observer) {
    this.observer = observer;
  }

  /** Attempts of {@code callId} end with these outcomes, in order; the last one repeats. */
  ScriptedRunner script(String callId, AttemptOutcome... outcomes) {
    scripts.put(callId, new ArrayDeque<>(List.of(outcomes)));
    return this;
  }

  /** Jobs without a script end with {@code outcome}. */
  ScriptedRunner otherwise(AttemptOutcome outcome) {
    this.otherwise = outcome;
    return this;
  }

  /** Attempts stay open until the test completes them. */
  ScriptedRunner holding(boolean hold) {
    this.holding = hold;
    return this;
  }

  /** The most attempts that were open at the same time. */
  int mostOpen() {
    return mostOpen.get();
  }

  @Override
  public CompletionStage<AttemptOutcome> run(FunctionId function, JobRequest job, int attempt) {
    mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
    CompletableFuture<AttemptOutcome> outcome = new CompletableFuture<>();
    CompletionStage<AttemptOutcome> done = outcome.whenComplete((o, e) -> open.decrementAndGet());
    observer.tell(new Run(function, job, attempt, outcome));
    if (!holding) {
      outcome.complete(next(job.callId()));
    }
    return done;
  }

  private AttemptOutcome next(String callId) {
    Deque<AttemptOutcome> script = scripts.get(callId);
    if (script == null || script.isEmpty()) {
      return otherwise;
    }
    return script.size() == 1 ? script.peekFirst() : script.pollFirst();
  }
}
