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
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.policy.retry.RetryDecision;
import dev.shardless.scheduler.policy.retry.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;

/**
 * One journal write's worth of decisions. The queue hands it what it buffered while the previous
 * write was in flight ({@link Intent}s: accepts, attempt outcomes, callback outcomes, cancels,
 * redrives) and then lets it {@link #dispatch}; the batch decides each against the queue's state
 * plus what it decided before in the same batch (a second accept of a call id, a slot freed by an
 * outcome), and collects the events, the replies to send once they are written, and the attempts to
 * start.
 *
 * <p>Decisions happen only here, when no write is in flight, so the state they read is the state
 * the events will be applied to. A batch holds at most {@link #MAX_EVENTS} events and about {@link
 * #MAX_BYTES} bytes (an atomic write must stay well below a Cassandra mutation's 16 MiB); what does
 * not fit stays buffered for the next write.
 */
final class Batch {
  /** Events in one write at most. */
  static final int MAX_EVENTS = 1000;

  /** About the bytes of one write at most (a single larger event still goes, alone). */
  static final long MAX_BYTES = 4L << 20;

  /** Retry-After sent with a 503 when the queue is full. */
  static final int RETRY_AFTER_FULL_SECONDS = 5;

  /** Something the queue buffered to decide in the next batch. */
  interface Intent {
    /** Decides as much as fits in {@code batch}; true when nothing is left to decide. */
    boolean plan(Batch batch);
  }

  /** An attempt to start once the batch is written. */
  record Start(String callId, int attempt) {}

  private final QueueState state;
  private final AsyncSettings settings;
  private final Definition definition;
  private final FunctionId function;
  private final long now;
  private final DoubleSupplier random;
  private final Logger log;

  private final List<JobEvent> events = new ArrayList<>();
  private final List<Runnable> immediate = new ArrayList<>();
  private final List<Runnable> afterWrite = new ArrayList<>();
  private final List<Start> starts = new ArrayList<>();
  private final List<String> callbacksDecided = new ArrayList<>();
  private final Set<String> touched = new HashSet<>();
  private final Map<String, JobRequest> acceptedHere = new LinkedHashMap<>();
  private long bytes;
  private long acceptedBytes;
  private int freed;

  Batch(
      QueueState state,
      AsyncSettings settings,
      Definition definition,
      FunctionId function,
      long now,
      DoubleSupplier random,
      Logger log) {
    this.state = state;
    this.settings = settings;
    this.definition = definition;
    this.function = function;
    this.now = now;
    this.random = random;
    this.log = log;
  }

  List<JobEvent> events() {
    return events;
  }

  /** Replies that need no write (refusals, answers from the state), to send at once. */
  List<Runnable> immediately() {
    return immediate;
  }

  /** Replies to send once the events are written. */
  List<Runnable> afterWrite() {
    return afterWrite;
  }

  List<Start> starts() {
    return starts;
  }

  /** Jobs whose callback outcome this batch decided (or found stale): no longer in delivery. */
  List<String> callbacksDecided() {
    return callbacksDecided;
  }

  boolean full() {
    return events.size() >= MAX_EVENTS || bytes >= MAX_BYTES;
  }

  private void emit(JobEvent event, long size) {
    events.add(event);
    bytes += size + 64;
  }

  // ---- Accept ----

  /** Accept the request unless it is known, too big, or the queue is full. */
  record Accept(JobQueue.Enqueue command) implements Intent {
    @Override
    public boolean plan(Batch b) {
      b.accept(command);
      return true;
    }
  }

  private void accept(JobQueue.Enqueue cmd) {
    JobRequest r = cmd.request();
    String id = r.callId();
    if (!definition.deployed()) {
      refuse(cmd, 404, "function " + function + " not found", 0);
    } else if (state.knows(id) || acceptedHere.containsKey(id)) {
      log.debug("{}: {} is known; not accepted again", function, id);
      afterWrite.add(() -> cmd.replyTo().tell(new JobQueue.Accepted(id, true)));
    } else if (r.body().length > settings.maxBody()) {
      refuse(cmd, 413, "request body larger than " + settings.maxBody() + " bytes", 0);
    } else {
      long size = StoredJob.sizeOf(r);
      if (state.heldBytes() + acceptedBytes + size > settings.maxQueuedBytes()) {
        refuse(
            cmd,
            503,
            "the queue of " + function + " holds " + settings.maxQueuedBytes() + " bytes already",
            RETRY_AFTER_FULL_SECONDS);
        return;
      }
      emit(new JobAccepted(r, now), size);
      acceptedHere.put(id, r);
      acceptedBytes += size;
      afterWrite.add(() -> cmd.replyTo().tell(new JobQueue.Accepted(id, false)));
    }
  }

  private void refuse(JobQueue.Enqueue cmd, int status, String reason, int retryAfter) {
    log.debug("{}: refused {} with {}: {}", function, cmd.request().callId(), status, reason);
    immediate.add(() -> cmd.replyTo().tell(new JobQueue.Refused(status, reason, retryAfter)));
  }

  // ---- Attempt outcomes ----

  /** Attempt {@code attempt} of {@code callId} ended. */
  record Outcome(String callId, int attempt, AttemptOutcome outcome) implements Intent {
    @Override
    public boolean plan(Batch b) {
      b.ended(callId, attempt, outcome);
      return true;
    }
  }

  private void ended(String id, int attempt, AttemptOutcome o) {
    StoredJob job = state.job(id).orElse(null);
    if (job == null
        || job.state() != JobState.RUNNING
        || job.attempts() != attempt
        || !touched.add(id)) {
      log.debug("{}: outcome of {} attempt {} is stale; ignored", function, id, attempt);
      return;
    }
    freed++;
    RetryPolicy.Attempt facts =
        new RetryPolicy.Attempt(
            RetryPolicy.Ending.valueOf(o.kind().name()), o.status(), retryAfter(o));
    RetryDecision d =
        RetryPolicy.forJob(facts, job.budgetAttempt(), definition.spec().retry(), next());
    Optional<StoredResult> result =
        o.kind() == AttemptOutcome.Kind.RESPONSE
            ? Optional.of(StoredResult.of(o, keep(job), settings.maxResult()))
            : Optional.empty();
    long size = result.map(r -> (long) r.body().length).orElse(0L);
    if (d instanceof RetryDecision.Final f) {
      log.debug("{}: {} succeeded: {}", function, id, f.reason());
      emit(new JobSucceeded(id, now, result.orElseThrow()), size);
    } else if (!definition.deployed()) {
      deadLetter(id, o.status(), "function deleted", result, size);
    } else if (d instanceof RetryDecision.Retry retry) {
      long at = now + retry.delay().toMillis();
      log.debug("{}: {} retries in {}: {}", function, id, retry.delay(), retry.reason());
      emit(new JobFailed(id, now, o.status(), error(o, retry.reason()), result, at), size);
    } else {
      RetryDecision.GiveUp g = (RetryDecision.GiveUp) d;
      if (g.cause() == RetryDecision.Cause.EXHAUSTED) {
        deadLetter(id, o.status(), error(o, g.reason()), result, size);
      } else {
        log.info("{}: {} failed: {}", function, id, g.reason());
        emit(new JobFailed(id, now, o.status(), error(o, g.reason()), result, 0), size);
      }
    }
  }

  private void deadLetter(
      String id, int status, String error, Optional<StoredResult> result, long size) {
    log.warn("{}: {} dead-lettered: {}", function, id, error);
    emit(new JobDeadLettered(id, now, status, error, result), size);
  }

  /** The whole body while a callback needs it, else a preview. */
  private int keep(StoredJob job) {
    return job.callback().isPresent()
        ? (int) Math.min(Integer.MAX_VALUE, settings.maxResult())
        : settings.resultPreview();
  }

  private static String error(AttemptOutcome o, String reason) {
    return o.error().isEmpty() ? reason : o.error() + " (" + reason + ")";
  }

  /** A {@code Retry-After} in seconds from the function's response, zero when none. */
  static Duration retryAfter(AttemptOutcome o) {
    for (JobHeader h : o.headers()) {
      if (h.name().equalsIgnoreCase("Retry-After")) {
        try {
          return Duration.ofSeconds(Long.parseLong(h.value().trim()));
        } catch (NumberFormatException | ArithmeticException e) {
          return Duration.ZERO; // An HTTP-date: the exponential backoff decides alone.
        }
      }
    }
    return Duration.ZERO;
  }

  private double next() {
    return random.getAsDouble();
  }

  // ---- Callbacks ----

  /** Delivery attempt {@code attempt} of {@code callId}'s callback ended. */
  record Delivery(String callId, int attempt, CallbackSender.CallbackOutcome outcome)
      implements Intent {
    @Override
    public boolean plan(Batch b) {
      b.delivered(callId, attempt, outcome);
      return true;
    }
  }

  private void delivered(String id, int attempt, CallbackSender.CallbackOutcome o) {
    callbacksDecided.add(id);
    StoredJob job = state.job(id).orElse(null);
    if (job == null
        || !job.callbackDue()
        || job.callback().orElseThrow().attempts() != attempt - 1
        || !touched.add(id)) {
      log.debug("{}: callback of {} attempt {} is stale; ignored", function, id, attempt);
      return;
    }
    RetryDecision d =
        RetryPolicy.forCallback(o.status(), attempt, settings.callback().schedule(), next());
    if (d instanceof RetryDecision.Final) {
      log.debug("{}: callback of {} delivered ({})", function, id, o.status());
      emit(new CallbackDelivered(id, attempt, now, o.status()), 0);
    } else if (d instanceof RetryDecision.Retry retry) {
      log.debug("{}: callback of {} retries in {}: {}", function, id, retry.delay(), o.error());
      long at = now + retry.delay().toMillis();
      emit(new CallbackFailed(id, attempt, now, o.status(), error(o, retry.reason()), at), 0);
    } else {
      String reason = error(o, ((RetryDecision.GiveUp) d).reason());
      log.warn("{}: callback of {} given up after {} attempts: {}", function, id, attempt, reason);
      emit(new CallbackFailed(id, attempt, now, o.status(), reason, 0), 0);
    }
  }

  private static String error(CallbackSender.CallbackOutcome o, String reason) {
    return o.error().isEmpty() ? reason : o.error() + " (" + reason + ")";
  }

  // ---- Cancel and redrive ----

  /** Cancel a job that waits (QUEUED or RETRY_WAIT). */
  record Cancel(JobQueue.Cancel command) implements Intent {
    @Override
    public boolean plan(Batch b) {
      b.cancel(command);
      return true;
    }
  }

  private void cancel(JobQueue.Cancel cmd) {
    String id = cmd.callId();
    Optional<StoredJob> job = state.job(id);
    if (job.isEmpty()) {
      immediate.add(
          () ->
              cmd.replyTo()
                  .tell(
                      new JobQueue.CancelReply(
                          JobQueue.CancelOutcome.NOT_FOUND, Optional.empty())));
      return;
    }
    JobState s = job.get().state();
    if ((s != JobState.QUEUED && s != JobState.RETRY_WAIT) || !touched.add(id)) {
      Optional<JobView> view = Optional.of(job.get().view(function.toString(), preview()));
      immediate.add(
          () ->
              cmd.replyTo()
                  .tell(new JobQueue.CancelReply(JobQueue.CancelOutcome.NOT_CANCELLABLE, view)));
      return;
    }
    log.debug("{}: {} cancelled", function, id);
    emit(new JobCancelled(id, now), 0);
    afterWrite.add(
        () ->
            cmd.replyTo()
                .tell(
                    new JobQueue.CancelReply(
                        JobQueue.CancelOutcome.CANCELLED,
                        state.job(id).map(j -> j.view(function.toString(), preview())))));
  }

  private int preview() {
    return settings.resultPreview();
  }

  /**
   * Queue dead letters again. Large redrives span several batches: the ids still to do stay here,
   * and the reply goes out once the last of them is written.
   */
  static final class Redrive implements Intent {
    private final JobQueue.Redrive command;
    private final List<String> done = new ArrayList<>();
    private Iterator<String> todo;

    Redrive(JobQueue.Redrive command) {
      this.command = command;
    }

    @Override
    public boolean plan(Batch b) {
      if (!b.definition.deployed()) {
        b.log.info("{}: redrive refused: the function is not deployed", b.function);
        b.immediate.add(() -> command.replyTo().tell(new JobQueue.Redriven(List.of())));
        return true;
      }
      if (todo == null) {
        todo =
            (command.callIds().isEmpty()
                    ? b.state.deadLetterIds()
                    : List.copyOf(new LinkedHashSet<>(command.callIds())))
                .iterator();
      }
      while (todo.hasNext() && !b.full()) {
        String id = todo.next();
        StoredJob job = b.state.job(id).orElse(null);
        if (job != null && job.state() == JobState.DEAD_LETTERED && b.touched.add(id)) {
          b.emit(new JobRedriven(id, b.now), 0);
          done.add(id);
        }
      }
      if (todo.hasNext()) {
        return false;
      }
      List<String> ids = List.copyOf(done);
      b.log.info("{}: redriving {} dead letters", b.function, ids.size());
      b.afterWrite.add(() -> command.replyTo().tell(new JobQueue.Redriven(ids)));
      return true;
    }
  }

  // ---- Dispatch ----

  /**
   * Starts ready jobs, oldest first, while the function's cap allows (counting the slots outcomes
   * in this batch freed and the starts already decided); while the function is absent, moves every
   * waiting job to the dead letters instead ("function deleted").
   */
  void dispatch() {
    if (definition.status() == Definition.Status.ABSENT) {
      deadLetterWaiting();
      return;
    }
    if (!definition.deployed()) {
      return;
    }
    int slots = definition.spec().maxConcurrency() - (state.runningCount() - freed);
    for (Iterator<StoredJob> it = state.readyInOrder(now); it.hasNext(); ) {
      if (starts.size() >= slots || full()) {
        return;
      }
      StoredJob job = it.next();
      if (touched.add(job.callId())) {
        start(job.callId(), job.attempts() + 1);
      }
    }
    for (String id : acceptedHere.keySet()) {
      if (starts.size() >= slots || full()) {
        return;
      }
      if (touched.add(id)) {
        start(id, 1);
      }
    }
  }

  private void start(String id, int attempt) {
    emit(new JobStarted(id, attempt, now), 0);
    starts.add(new Start(id, attempt));
  }

  private void deadLetterWaiting() {
    int count = 0;
    for (String id : state.waitingIds()) {
      if (full()) {
        break;
      }
      if (touched.add(id)) {
        emit(new JobDeadLettered(id, now, 404, "function deleted", Optional.empty()), 0);
        count++;
      }
    }
    if (count > 0) {
      log.warn("{}: {} waiting jobs dead-lettered: function deleted", function, count);
    }
  }
}
