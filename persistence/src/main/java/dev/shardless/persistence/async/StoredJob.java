package dev.shardless.persistence.async;

import dev.shardless.persistence.async.JobView.CallbackState;
import dev.shardless.scheduler.CborSerializable;
import java.time.Instant;
import java.util.Optional;

/**
 * One job as its queue keeps it, in memory and in snapshots. Immutable: each event makes a new one.
 * The request (and its body) is kept while the job can still run (unfinished or dead-lettered) and
 * dropped when it finishes; {@code method} and {@code path} stay for the views.
 *
 * @param callId the job's id
 * @param seq acceptance order in the queue (a redrive takes a new one, at the back)
 * @param state where the job is
 * @param request the request, while the job may still run
 * @param method the request's method
 * @param path the request's path
 * @param attempts attempts started over the job's life
 * @param outcomes attempts that ended with an outcome (the others were interrupted by a restart)
 * @param budgetBase outcomes before the last redrive: attempt {@code outcomes - budgetBase} is the
 *     one the retry schedule counts
 * @param acceptedAt epoch ms of the accept
 * @param startedAt epoch ms of the last attempt's start, 0 before the first
 * @param finishedAt epoch ms of the terminal state, 0 before
 * @param nextAttemptAt epoch ms of the next attempt in RETRY_WAIT, else 0
 * @param lastStatus the last attempt's status, 0 before the first ended
 * @param lastError the last attempt's error, empty when none
 * @param result the last attempt's response, empty when it got none (a preview unless a callback
 *     still needs it all)
 * @param callback the callback's delivery, when the request has an {@code X-Callback-Url}
 */
public record StoredJob(
    String callId,
    long seq,
    JobState state,
    Optional<JobRequest> request,
    String method,
    String path,
    int attempts,
    int outcomes,
    int budgetBase,
    long acceptedAt,
    long startedAt,
    long finishedAt,
    long nextAttemptAt,
    int lastStatus,
    String lastError,
    Optional<StoredResult> result,
    Optional<StoredCallback> callback)
    implements CborSerializable {

  public StoredJob {
    lastError = lastError == null ? "" : lastError;
    request = request == null ? Optional.empty() : request;
    result = result == null ? Optional.empty() : result;
    callback = callback == null ? Optional.empty() : callback;
  }

  static StoredJob accepted(JobRequest request, long seq, long at) {
    return new StoredJob(
        request.callId(),
        seq,
        JobState.QUEUED,
        Optional.of(request),
        request.method(),
        request.path(),
        0,
        0,
        0,
        at,
        0,
        0,
        0,
        0,
        "",
        Optional.empty(),
        request.callbackUrl().map(StoredCallback::pending));
  }

  StoredJob started(int attempt, long at) {
    Draft d = new Draft(this);
    d.state = JobState.RUNNING;
    d.attempts = attempt;
    d.startedAt = at;
    d.nextAttemptAt = 0;
    return d.build();
  }

  /** Back to QUEUED: its running attempt was lost with the queue's previous incarnation. */
  StoredJob interrupted() {
    Draft d = new Draft(this);
    d.state = JobState.QUEUED;
    return d.build();
  }

  /**
   * The running attempt ended with {@code status}: the job goes to {@code next}, due again at
   * {@code retryAt} in RETRY_WAIT. A finished job lets go of its request; a dead letter keeps it
   * for a redrive.
   */
  StoredJob ended(
      JobState next,
      long at,
      int status,
      String error,
      Optional<StoredResult> newResult,
      long retryAt) {
    Draft d = new Draft(this);
    d.state = next;
    d.outcomes = outcomes + 1;
    d.finishedAt = next.terminal() ? at : 0;
    d.nextAttemptAt = retryAt;
    d.lastStatus = status;
    d.lastError = error;
    d.result = newResult;
    if (next.terminal() && next != JobState.DEAD_LETTERED) {
      d.request = Optional.empty();
    }
    return d.build();
  }

  /** Dead-lettered while waiting (no attempt running): the function was deleted. */
  StoredJob deadLetteredWhileWaiting(long at, int status, String error) {
    Draft d = new Draft(this);
    d.state = JobState.DEAD_LETTERED;
    d.finishedAt = at;
    d.nextAttemptAt = 0;
    d.lastStatus = status;
    d.lastError = error;
    return d.build();
  }

  StoredJob cancelled(long at) {
    Draft d = new Draft(this);
    d.state = JobState.CANCELLED;
    d.request = Optional.empty();
    d.finishedAt = at;
    d.nextAttemptAt = 0;
    d.callback = callback.map(c -> c.failed(c.attempts(), 0, "job cancelled: no callback", 0));
    return d.build();
  }

  /** Queued again at {@code newSeq} with a fresh attempt budget and a fresh callback. */
  StoredJob redriven(long newSeq) {
    Draft d = new Draft(this);
    d.seq = newSeq;
    d.state = JobState.QUEUED;
    d.budgetBase = outcomes;
    d.finishedAt = 0;
    d.callback = callback.map(c -> StoredCallback.pending(c.url()));
    return d.build();
  }

  /** The callback's delivery moved on; the whole body is no longer needed once it settled. */
  StoredJob withCallback(StoredCallback next, int previewBytes) {
    Draft d = new Draft(this);
    d.callback = Optional.of(next);
    if (next.state() != CallbackState.PENDING) {
      d.result = result.map(r -> r.preview(previewBytes));
    }
    return d.build();
  }

  /** A copy to change a few fields of: records have no withers. */
  private static final class Draft {
    private final StoredJob from;
    long seq;
    JobState state;
    Optional<JobRequest> request;
    int attempts;
    int outcomes;
    int budgetBase;
    long startedAt;
    long finishedAt;
    long nextAttemptAt;
    int lastStatus;
    String lastError;
    Optional<StoredResult> result;
    Optional<StoredCallback> callback;

    Draft(StoredJob j) {
      from = j;
      seq = j.seq;
      state = j.state;
      request = j.request;
      attempts = j.attempts;
      outcomes = j.outcomes;
      budgetBase = j.budgetBase;
      startedAt = j.startedAt;
      finishedAt = j.finishedAt;
      nextAttemptAt = j.nextAttemptAt;
      lastStatus = j.lastStatus;
      lastError = j.lastError;
      result = j.result;
      callback = j.callback;
    }

    StoredJob build() {
      return new StoredJob(
          from.callId,
          seq,
          state,
          request,
          from.method,
          from.path,
          attempts,
          outcomes,
          budgetBase,
          from.acceptedAt,
          startedAt,
          finishedAt,
          nextAttemptAt,
          lastStatus,
          lastError,
          result,
          callback);
    }
  }

  /** True when the job has finished (not cancelled) and its callback still has to go out. */
  boolean callbackDue() {
    return state.terminal()
        && state != JobState.CANCELLED
        && callback.map(c -> c.state() == CallbackState.PENDING).orElse(false);
  }

  /** The attempt number the retry schedule counts for the attempt running now. */
  int budgetAttempt() {
    return outcomes + 1 - budgetBase;
  }

  /** Bytes the request holds in memory (body, headers, strings). */
  long requestBytes() {
    return request.map(StoredJob::sizeOf).orElse(0L);
  }

  static long sizeOf(JobRequest r) {
    long size = r.body().length + r.callId().length() + r.method().length() + r.path().length();
    size += r.rawQuery().length() + r.callbackUrl().map(String::length).orElse(0);
    for (JobHeader h : r.headers()) {
      size += h.name().length() + h.value().length() + 4;
    }
    return size;
  }

  /** Bytes of the response body kept (whole while a callback needs it). */
  long resultBytes() {
    return result.map(r -> (long) r.body().length).orElse(0L);
  }

  JobView view(String function, int previewBytes) {
    return new JobView(
        callId,
        function,
        state,
        attempts,
        Instant.ofEpochMilli(acceptedAt),
        instant(startedAt),
        instant(finishedAt),
        instant(nextAttemptAt),
        lastStatus,
        lastError,
        method,
        path,
        result.map(r -> r.view(previewBytes)),
        callback.map(StoredCallback::view));
  }

  private static Optional<Instant> instant(long epochMillis) {
    return epochMillis == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(epochMillis));
  }
}
