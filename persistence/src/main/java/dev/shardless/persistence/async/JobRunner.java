package dev.shardless.persistence.async;

import dev.shardless.scheduler.model.FunctionId;
import java.util.concurrent.CompletionStage;

/**
 * Port: runs one attempt of an async job on a replica of its function, through the function's
 * entity (lease, HTTP request, release), so async work shares replicas, scaling and concurrency
 * limits with synchronous calls. The gateway implements it with its pooled HTTP client.
 */
public interface JobRunner {
  /**
   * Runs {@code attempt} (1-based) of {@code job}, sending {@code X-Call-Id: job.callId()}. The
   * stage never fails: every failure is an {@link AttemptOutcome} of its own kind.
   */
  CompletionStage<AttemptOutcome> run(FunctionId function, JobRequest job, int attempt);
}
