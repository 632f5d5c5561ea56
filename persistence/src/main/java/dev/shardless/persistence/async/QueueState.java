package dev.shardless.persistence.async;

import dev.shardless.persistence.async.JobEvent.CallbackDelivered;
import dev.shardless.persistence.async.JobEvent.CallbackFailed;
import dev.shardless.persistence.async.JobEvent.JobAccepted;
import dev.shardless.persistence.async.JobEvent.JobCancelled;
import dev.shardless.persistence.async.JobEvent.JobDeadLettered;
import dev.shardless.persistence.async.JobEvent.JobFailed;
import dev.shardless.persistence.async.JobEvent.JobRedriven;
import dev.shardless.persistence.async.JobEvent.JobStarted;
import dev.shardless.persistence.async.JobEvent.JobSucceeded;
import dev.shardless.persistence.async.QueueSnapshot.Counters;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The state of one {@link JobQueue}: the jobs it remembers and indexes over them. Mutable inside
 * and package-private: only the queue's event handler changes it (and, once, its recovery, see
 * {@link #requeueInterrupted}); everything it hands out is immutable ({@link StoredJob}, views,
 * {@link QueueSnapshot}). Mutable because a queue may hold a large backlog and replay hundreds of
 * thousands of events on recovery: every event costs O(log n) here, where copying an immutable
 * state would cost O(n). The snapshot store gets an immutable copy ({@link #toSnapshot}), made on
 * the actor's thread when the snapshot is taken. Pekko applies a batch's events as its write
 * starts; commands wait in Pekko's stash until the write completes, and a failed write stops the
 * queue, so nothing ever reads state that is not durable.
 *
 * <p>What it remembers: every unfinished job with its request, the dead letters with theirs (until
 * redriven), finished jobs whose callback still has to go out, and the last {@code retainFinished}
 * other finished jobs (a preview of their result). Older finished jobs are forgotten, and with them
 * the idempotency of their {@code X-Call-Id}.
 */
final class QueueState {
  /** An index entry ordered by time, then acceptance order. */
  record Due(long atMillis, long seq, String callId) implements Comparable<Due> {
    @Override
    public int compareTo(Due o) {
      int c = Long.compare(atMillis, o.atMillis);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final int retainFinished;
  private final int previewBytes;

  private final Map<String, StoredJob> jobs = new HashMap<>();
  private final TreeMap<Long, String> queued = new TreeMap<>();
  private final LinkedHashSet<String> running = new LinkedHashSet<>();
  private final TreeSet<Due> retryWait = new TreeSet<>();
  private final LinkedHashSet<String> deadLetters = new LinkedHashSet<>();
  private final TreeSet<Due> callbacksDue = new TreeSet<>();
  private final ArrayDeque<String> finished = new ArrayDeque<>();

  private long nextSeq = 1;
  private long heldBytes;
  private long deadLetterBytes;
  private long resultBytes;
  private long accepted;
  private long succeeded;
  private long failed;
  private long cancelled;
  private long retries;
  private long reruns;
  private long callbackFailures;

  QueueState(int retainFinished, int previewBytes) {
    this.retainFinished = retainFinished;
    this.previewBytes = previewBytes;
  }

  // ---- Events ----

  QueueState onAccepted(JobAccepted e) {
    if (jobs.containsKey(e.request().callId())) {
      return this;
    }
    accepted++;
    replace(null, StoredJob.accepted(e.request(), nextSeq++, e.atMillis()));
    return this;
  }

  QueueState onStarted(JobStarted e) {
    StoredJob job = jobs.get(e.callId());
    if (job == null || job.state().terminal()) {
      return this;
    }
    if (job.attempts() > job.outcomes()) {
      reruns++;
    } else if (job.attempts() > 0) {
      retries++;
    }
    replace(job, job.started(e.attempt(), e.atMillis()));
    return this;
  }

  QueueState onSucceeded(JobSucceeded e) {
    StoredJob job = runningJob(e.callId());
    if (job != null) {
      succeeded++;
      replace(
          job,
          job.ended(
              JobState.SUCCEEDED,
              e.atMillis(),
              e.result().status(),
              "",
              Optional.of(e.result()),
              0));
    }
    return this;
  }

  QueueState onFailed(JobFailed e) {
    StoredJob job = runningJob(e.callId());
    if (job != null) {
      JobState next = e.retryAtMillis() > 0 ? JobState.RETRY_WAIT : JobState.FAILED;
      if (next == JobState.FAILED) {
        failed++;
      }
      replace(
          job, job.ended(next, e.atMillis(), e.status(), e.error(), e.result(), e.retryAtMillis()));
    }
    return this;
  }

  /** The job, when its attempt is running (an ending for any other job is ignored). */
  private StoredJob runningJob(String callId) {
    StoredJob job = jobs.get(callId);
    return job != null && job.state() == JobState.RUNNING ? job : null;
  }

  QueueState onDeadLettered(JobDeadLettered e) {
    StoredJob job = jobs.get(e.callId());
    if (job == null || job.state().terminal()) {
      return this;
    }
    failed++;
    StoredJob next =
        job.state() == JobState.RUNNING
            ? job.ended(JobState.DEAD_LETTERED, e.atMillis(), e.status(), e.error(), e.result(), 0)
            : job.deadLetteredWhileWaiting(e.atMillis(), e.status(), e.error());
    replace(job, next);
    return this;
  }

  QueueState onCancelled(JobCancelled e) {
    StoredJob job = jobs.get(e.callId());
    if (job != null && (job.state() == JobState.QUEUED || job.state() == JobState.RETRY_WAIT)) {
      cancelled++;
      replace(job, job.cancelled(e.atMillis()));
    }
    return this;
  }

  QueueState onRedriven(JobRedriven e) {
    StoredJob job = jobs.get(e.callId());
    if (job != null && job.state() == JobState.DEAD_LETTERED) {
      replace(job, job.redriven(nextSeq++));
    }
    return this;
  }

  QueueState onCallbackDelivered(CallbackDelivered e) {
    StoredJob job = jobs.get(e.callId());
    if (job != null && job.callbackDue()) {
      StoredCallback c = job.callback().orElseThrow();
      replace(job, job.withCallback(c.delivered(e.attempt(), e.status()), previewBytes));
    }
    return this;
  }

  QueueState onCallbackFailed(CallbackFailed e) {
    StoredJob job = jobs.get(e.callId());
    if (job != null && job.callbackDue()) {
      if (e.retryAtMillis() == 0) {
        callbackFailures++;
      }
      StoredCallback c = job.callback().orElseThrow();
      StoredCallback next = c.failed(e.attempt(), e.status(), e.error(), e.retryAtMillis());
      replace(job, job.withCallback(next, previewBytes));
    }
    return this;
  }

  /**
   * Puts back in the queue, ahead of later jobs (their acceptance order), every job that was
   * RUNNING when the queue stopped: no outcome of that attempt can arrive any more. Called once on
   * recovery; the journal still says RUNNING, and the next {@link JobStarted} for the job counts a
   * rerun, so replaying again gives the same result.
   *
   * @return how many jobs were put back
   */
  int requeueInterrupted() {
    List<String> interrupted = new ArrayList<>(running);
    for (String id : interrupted) {
      StoredJob job = jobs.get(id);
      replace(job, job.interrupted());
    }
    return interrupted.size();
  }

  // ---- Queries ----

  Optional<StoredJob> job(String callId) {
    return Optional.ofNullable(jobs.get(callId));
  }

  boolean knows(String callId) {
    return jobs.containsKey(callId);
  }

  int runningCount() {
    return running.size();
  }

  int queuedCount() {
    return queued.size();
  }

  int retryWaitCount() {
    return retryWait.size();
  }

  int deadLetterCount() {
    return deadLetters.size();
  }

  /** Request bytes of the unfinished jobs: what {@code max-queued-bytes} bounds. */
  long heldBytes() {
    return heldBytes;
  }

  /** About the bytes a snapshot would hold: requests of unfinished and dead jobs, and results. */
  long snapshotBytes() {
    return heldBytes + deadLetterBytes + resultBytes;
  }

  /** True when a job is QUEUED, or in RETRY_WAIT and due at {@code now}. */
  boolean hasReady(long now) {
    return !queued.isEmpty() || (!retryWait.isEmpty() && retryWait.first().atMillis() <= now);
  }

  /** QUEUED or RETRY_WAIT jobs, in any order. */
  boolean hasWaiting() {
    return !queued.isEmpty() || !retryWait.isEmpty();
  }

  /** QUEUED jobs plus RETRY_WAIT jobs due at {@code now}: the jobs waiting for a slot. */
  int readyCount(long now) {
    int due = 0;
    for (Due d : retryWait) {
      if (d.atMillis() > now) {
        break;
      }
      due++;
    }
    return queued.size() + due;
  }

  /**
   * The jobs ready at {@code now} in acceptance order: QUEUED ones and RETRY_WAIT ones that are
   * due, merged, so a retried or interrupted job keeps its place ahead of later ones. Lazy: a
   * dispatch that takes a few jobs from a long queue reads only those (plus the due retries).
   */
  Iterator<StoredJob> readyInOrder(long now) {
    List<Due> due = new ArrayList<>();
    for (Due d : retryWait) {
      if (d.atMillis() > now) {
        break;
      }
      due.add(d);
    }
    due.sort((a, b) -> Long.compare(a.seq(), b.seq()));
    Iterator<Map.Entry<Long, String>> waiting = queued.entrySet().iterator();
    Iterator<Due> retries = due.iterator();
    return new Iterator<>() {
      private Map.Entry<Long, String> q = waiting.hasNext() ? waiting.next() : null;
      private Due r = retries.hasNext() ? retries.next() : null;

      @Override
      public boolean hasNext() {
        return q != null || r != null;
      }

      @Override
      public StoredJob next() {
        String id;
        if (r == null || (q != null && q.getKey() < r.seq())) {
          id = q.getValue();
          q = waiting.hasNext() ? waiting.next() : null;
        } else {
          id = r.callId();
          r = retries.hasNext() ? retries.next() : null;
        }
        return jobs.get(id);
      }
    };
  }

  /** Every QUEUED or RETRY_WAIT job's id: the queued ones in order, then those waiting to retry. */
  Iterable<String> waitingIds() {
    return () -> {
      Iterator<String> queuedIds = queued.values().iterator();
      Iterator<Due> retrying = retryWait.iterator();
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return queuedIds.hasNext() || retrying.hasNext();
        }

        @Override
        public String next() {
          return queuedIds.hasNext() ? queuedIds.next() : retrying.next().callId();
        }
      };
    };
  }

  /** Finished jobs whose callback is due at {@code now}, the earliest first. */
  List<StoredJob> callbacksDue(long now, int limit) {
    List<StoredJob> due = new ArrayList<>();
    for (Due d : callbacksDue) {
      if (d.atMillis() > now || due.size() >= limit) {
        break;
      }
      due.add(jobs.get(d.callId()));
    }
    return due;
  }

  /**
   * The earliest time after {@code now} at which a retry or a callback becomes due, or 0 when none
   * is. (What is due already is ready now.)
   */
  long nextDueAfter(long now) {
    long next = 0;
    Due retry = retryWait.higher(new Due(now, Long.MAX_VALUE, ""));
    if (retry != null) {
      next = retry.atMillis();
    }
    Due callback = callbacksDue.higher(new Due(now, Long.MAX_VALUE, ""));
    if (callback != null && (next == 0 || callback.atMillis() < next)) {
      next = callback.atMillis();
    }
    return next;
  }

  /** The dead letters' ids, oldest first. */
  List<String> deadLetterIds() {
    return new ArrayList<>(deadLetters);
  }

  /** At most {@code limit} dead letters, oldest first. */
  List<StoredJob> deadLetters(int limit) {
    List<StoredJob> list = new ArrayList<>();
    for (String id : deadLetters) {
      if (list.size() >= limit) {
        break;
      }
      list.add(jobs.get(id));
    }
    return list;
  }

  /** The acceptance time of the oldest unfinished job, 0 when none. */
  long oldestWaitingMillis() {
    long oldest = 0;
    for (Iterator<String> it = unfinishedIds(); it.hasNext(); ) {
      long at = jobs.get(it.next()).acceptedAt();
      if (oldest == 0 || at < oldest) {
        oldest = at;
      }
    }
    return oldest;
  }

  private Iterator<String> unfinishedIds() {
    List<String> ids = new ArrayList<>(queued.values());
    ids.addAll(running);
    retryWait.forEach(d -> ids.add(d.callId()));
    return ids.iterator();
  }

  Counters counters() {
    return new Counters(accepted, succeeded, failed, cancelled, retries, reruns, callbackFailures);
  }

  int previewBytes() {
    return previewBytes;
  }

  // ---- Snapshots ----

  /** An immutable copy for the snapshot store. */
  QueueSnapshot toSnapshot() {
    List<StoredJob> unfinished = new ArrayList<>();
    unfinishedIds().forEachRemaining(id -> unfinished.add(jobs.get(id)));
    List<StoredJob> settling = new ArrayList<>();
    for (Due d : callbacksDue) {
      StoredJob job = jobs.get(d.callId());
      if (job.state() != JobState.DEAD_LETTERED) {
        settling.add(job);
      }
    }
    return new QueueSnapshot(
        nextSeq,
        counters(),
        unfinished,
        deadLetters(Integer.MAX_VALUE),
        settling,
        finished.stream().map(jobs::get).toList());
  }

  /** The state a snapshot was taken of. */
  static QueueState fromSnapshot(QueueSnapshot s, int retainFinished, int previewBytes) {
    QueueState state = new QueueState(retainFinished, previewBytes);
    state.nextSeq = s.nextSeq();
    Counters c = s.counters();
    state.accepted = c.accepted();
    state.succeeded = c.succeeded();
    state.failed = c.failed();
    state.cancelled = c.cancelled();
    state.retries = c.retries();
    state.reruns = c.reruns();
    state.callbackFailures = c.callbackFailures();
    s.unfinished().forEach(job -> state.replace(null, job));
    s.deadLetters().forEach(job -> state.replace(null, job));
    s.settling().forEach(job -> state.replace(null, job));
    s.finished().forEach(job -> state.replace(null, job));
    return state;
  }

  // ---- Indexes ----

  /**
   * Swaps {@code old} (null: none) for {@code next} in the map, the indexes and the byte counts.
   */
  private void replace(StoredJob old, StoredJob next) {
    if (old != null) {
      unindex(old);
    }
    jobs.put(next.callId(), next);
    index(next, old);
  }

  private void unindex(StoredJob job) {
    switch (job.state()) {
      case QUEUED -> queued.remove(job.seq());
      case RUNNING -> running.remove(job.callId());
      case RETRY_WAIT -> retryWait.remove(new Due(job.nextAttemptAt(), job.seq(), job.callId()));
      default -> {
        // Terminal: dead letters stay in their list until redriven (below); finished jobs in the
        // retention deque never change again.
      }
    }
    if (job.state() == JobState.DEAD_LETTERED) {
      deadLetterBytes -= job.requestBytes();
    } else if (!job.state().terminal()) {
      heldBytes -= job.requestBytes();
    }
    resultBytes -= job.resultBytes();
    if (job.callbackDue()) {
      callbacksDue.remove(callbackKey(job));
    }
  }

  private void index(StoredJob job, StoredJob old) {
    switch (job.state()) {
      case QUEUED -> queued.put(job.seq(), job.callId());
      case RUNNING -> running.add(job.callId());
      case RETRY_WAIT -> retryWait.add(new Due(job.nextAttemptAt(), job.seq(), job.callId()));
      default -> {
        // Terminal: see below.
      }
    }
    boolean wasDead = old != null && old.state() == JobState.DEAD_LETTERED;
    if (job.state() == JobState.DEAD_LETTERED) {
      deadLetterBytes += job.requestBytes();
      if (!wasDead) {
        deadLetters.add(job.callId());
      }
    } else {
      if (wasDead) {
        deadLetters.remove(job.callId());
      }
      if (!job.state().terminal()) {
        heldBytes += job.requestBytes();
      }
    }
    resultBytes += job.resultBytes();
    if (job.callbackDue()) {
      callbacksDue.add(callbackKey(job));
    } else if (job.state().terminal() && job.state() != JobState.DEAD_LETTERED) {
      retain(job.callId());
    }
  }

  private static Due callbackKey(StoredJob job) {
    return new Due(job.callback().orElseThrow().nextAtMillis(), job.seq(), job.callId());
  }

  /** Remembers a finished, settled job; forgets the oldest beyond {@code retainFinished}. */
  private void retain(String callId) {
    finished.addLast(callId);
    while (finished.size() > retainFinished) {
      StoredJob gone = jobs.remove(finished.removeFirst());
      resultBytes -= gone.resultBytes();
    }
  }
}
