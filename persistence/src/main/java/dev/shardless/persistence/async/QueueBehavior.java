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
import dev.shardless.persistence.async.JobQueue.AttemptDone;
import dev.shardless.persistence.async.JobQueue.CallbackDone;
import dev.shardless.persistence.async.JobQueue.Command;
import dev.shardless.persistence.async.JobQueue.Enqueue;
import dev.shardless.persistence.async.JobQueue.Flush;
import dev.shardless.persistence.async.JobQueue.FunctionConfigured;
import dev.shardless.persistence.async.JobQueue.FunctionRemoved;
import dev.shardless.persistence.async.JobQueue.GetJob;
import dev.shardless.persistence.async.JobQueue.GetQueueStatus;
import dev.shardless.persistence.async.JobQueue.ListDeadLetters;
import dev.shardless.persistence.async.JobQueue.LookedUp;
import dev.shardless.persistence.async.JobQueue.LookupTimedOut;
import dev.shardless.persistence.async.JobQueue.Refused;
import dev.shardless.persistence.async.JobQueue.ReportBacklog;
import dev.shardless.persistence.async.JobQueue.ReportDepth;
import dev.shardless.persistence.async.JobQueue.RetryLookup;
import dev.shardless.persistence.async.JobQueue.Stop;
import dev.shardless.persistence.async.JobQueue.Wake;
import dev.shardless.persistence.async.QueueSnapshot.Counters;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import dev.shardless.scheduler.model.RetrySchedule;
import dev.shardless.scheduler.port.FunctionCatalog;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.SnapshotFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.Logger;

/**
 * The behaviour of one function's {@link JobQueue}.
 *
 * <p><b>Accept.</b> An {@link Enqueue} is answered {@code Accepted} only once its {@link
 * JobAccepted} is in the journal. A call id the queue remembers (unfinished, dead-lettered, or
 * among the last {@code retain-finished} finished jobs) answers {@code Accepted(duplicate=true)}
 * and adds nothing. Refused: 404 while the function is not deployed, 413 beyond {@code max-body},
 * 503 when the unfinished jobs' request bytes would pass {@code max-queued-bytes} or too many
 * accepts wait for a write ({@value #MAX_BUFFERED}).
 *
 * <p><b>Batching.</b> Nothing is persisted from a command handler directly: commands that change
 * jobs (accepts, attempt and callback outcomes, cancels, redrives) are buffered and a {@link Flush}
 * is sent to self if none is on its way. The flush decides the whole buffer ({@link Batch}) and
 * writes it with one {@code persist(List)}. While that write is in flight Pekko stashes incoming
 * commands; when it completes they are unstashed, all land in the buffer, and only then is the next
 * flush (queued behind them in the mailbox) processed: everything that arrived during one write
 * goes into the next. A single entity otherwise tops out near 1.5k writes/s on Cassandra.
 *
 * <p><b>Dispatch.</b> Up to the function's cap ({@code AsyncSpec.maxConcurrency}) attempts run at
 * once: ready jobs (QUEUED, or RETRY_WAIT and due) start oldest first in the same write as the
 * decisions that freed their slots ({@link JobStarted}), then go to the {@link JobRunner}. The
 * outcome is decided by the pure {@code RetryPolicy} with the function's retry schedule: a result
 * that stands ({@link JobSucceeded}), a retry ({@link JobFailed} with its due time; one timer for
 * the earliest due retry or callback), the platform's 404 ({@link JobFailed}, terminal: FAILED), or
 * the last allowed attempt failed ({@link JobDeadLettered}, kept until {@code Redrive}).
 *
 * <p><b>Callbacks.</b> A job with an {@code X-Callback-Url} is called back once it is SUCCEEDED,
 * FAILED or DEAD_LETTERED (not when cancelled) with the final status, as {@link CallbackMessage}
 * builds it; a redriven dead letter is called back again when it ends again. Deliveries are retried
 * with {@code shardless.async.callback}'s schedule and end as {@link CallbackDelivered} or as a
 * {@link CallbackFailed} that gave up with its reason: never dropped silently. {@link Upkeep} sends
 * them, at most {@value Upkeep#MAX_CALLBACKS_IN_FLIGHT} at once.
 *
 * <p><b>The function.</b> The queue looks its function up in the {@link FunctionCatalog} when it
 * starts; accepts wait meanwhile (a {@link FunctionConfigured} that arrives first wins). An unknown
 * or deleted function refuses accepts with 404 and moves its waiting jobs to the dead letters
 * ("function deleted"); running ones are dead-lettered when they end unless their result stands. In
 * case the queue missed a later {@link FunctionConfigured}, an accept for an absent function asks
 * the catalog again first (at most once per {@code LOOKUP_RETRY}). A catalog failure refuses
 * accepts with 503; a queue that knows nothing yet asks again after {@code LOOKUP_RETRY}.
 *
 * <p><b>Backlog.</b> {@code min(ready jobs, cap)} goes to the {@link BacklogReporter} when it
 * changes, and every {@link Upkeep#BACKLOG_PERIOD} while it is above zero (the function's entity
 * forgets it when it restarts); 0 once when it drains.
 *
 * <p><b>Snapshots.</b> At most every {@code snapshot-every} events, and only while {@link
 * QueueState#snapshotBytes} is at most {@code snapshot-max-bytes}: a large backlog is not copied
 * into a snapshot again and again; recovery then replays from the last smaller moment. The snapshot
 * is the immutable {@link QueueSnapshot} ({@link #snapshotAdapter}). Old snapshots and events are
 * not deleted: Pekko deletes them only for its unconditional {@code RetentionCriteria}, which
 * cannot be combined with this size condition.
 *
 * <p><b>Lost on restart or hand-off</b> (at-least-once, never a lost job): attempts running then;
 * their jobs are RUNNING in the journal and run again on recovery, ahead of later jobs (counted as
 * reruns). Callback deliveries in flight are sent again. Accepts buffered but not yet written are
 * refused with 503 on a hand-off ({@link Stop}) or time out on a crash, so their callers retry
 * them; their 202 never went out. The definition is looked up again.
 */
final class QueueBehavior extends EventSourcedBehavior<Command, JobEvent, QueueState> {

  /** What every incarnation is built from. */
  record Wiring(
      FunctionId function,
      AsyncSettings settings,
      FunctionCatalog catalog,
      JobRunner runner,
      CallbackSender callbacks,
      BacklogReporter backlog,
      QueueTelemetry telemetry,
      Clock clock) {}

  /** Accepts waiting for a write or for the definition at most; beyond, 503. */
  static final int MAX_BUFFERED = 20_000;

  /** How long after a failed (or an absent) answer the catalog is asked again. */
  static final Duration LOOKUP_RETRY = Duration.ofSeconds(1);

  private static final Object LOOKUP_TIMER = "lookup";

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final FunctionId function;
  private final AsyncSettings settings;
  private final RetrySchedule defaults;
  private final Wiring wiring;
  private final Clock clock;
  private final Logger log;
  private final SplittableRandom random = new SplittableRandom();

  private Definition definition;
  private boolean lookupFailed;
  private boolean lookingUp;

  /** When the catalog last answered (clock ms): an absent function is asked again after this. */
  private long lastAnswerAt;

  /** Decisions waiting for the next write; not state: lost with the incarnation. */
  private final ArrayDeque<Batch.Intent> buffer = new ArrayDeque<>();

  /** Accepts that arrived before the definition. */
  private final List<Enqueue> awaitingDefinition = new ArrayList<>();

  private boolean flushPending;

  private final Upkeep upkeep;
  private final QueueTelemetry.QueueMeter meter;
  private long lastSnapshotSeq;
  private long writes;
  private long eventsWritten;

  QueueBehavior(ActorContext<Command> ctx, TimerScheduler<Command> timers, Wiring wiring) {
    super(JobQueue.persistenceIdOf(wiring.function()));
    this.ctx = ctx;
    this.timers = timers;
    this.wiring = wiring;
    this.function = wiring.function();
    this.settings = wiring.settings();
    this.defaults = settings.retry().schedule();
    this.clock = wiring.clock();
    this.log = ctx.getLog();
    this.definition = Definition.unknown(defaults);
    this.meter = wiring.telemetry().queueOf(function);
    this.upkeep =
        new Upkeep(ctx, timers, function, wiring.callbacks(), wiring.backlog(), meter, clock);
    // Look up while the journal replays: the answer waits in Pekko's stash until recovery ends.
    lookUp();
  }

  @Override
  public QueueState emptyState() {
    return new QueueState(settings.retainFinished(), settings.resultPreview());
  }

  // ---- Commands ----

  @Override
  public CommandHandler<Command, JobEvent, QueueState> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Enqueue.class, this::onEnqueue)
        .onCommand(Flush.class, this::onFlush)
        .onCommand(AttemptDone.class, this::onAttemptDone)
        .onCommand(CallbackDone.class, this::onCallbackDone)
        .onCommand(JobQueue.Cancel.class, this::onCancel)
        .onCommand(JobQueue.Redrive.class, this::onRedrive)
        .onCommand(Wake.class, this::onWake)
        .onCommand(ReportBacklog.class, this::onReportBacklog)
        .onCommand(ReportDepth.class, this::onReportDepth)
        .onCommand(FunctionConfigured.class, this::onConfigured)
        .onCommand(FunctionRemoved.class, this::onRemoved)
        .onCommand(LookedUp.class, this::onLookedUp)
        .onCommand(LookupTimedOut.class, this::onLookupTimedOut)
        .onCommand(RetryLookup.class, this::onRetryLookup)
        .onCommand(GetJob.class, this::onGetJob)
        .onCommand(ListDeadLetters.class, this::onListDeadLetters)
        .onCommand(GetQueueStatus.class, this::onGetQueueStatus)
        .onCommand(Stop.class, this::onStop)
        .build();
  }

  private Effect<JobEvent, QueueState> onEnqueue(QueueState state, Enqueue cmd) {
    switch (definition.status()) {
      case ABSENT -> {
        if (lookingUp || clock.millis() - lastAnswerAt >= LOOKUP_RETRY.toMillis()) {
          // Deployed since, and this queue missed the news? Ask the catalog before a 404.
          awaitingDefinition.add(cmd);
          if (!lookingUp) {
            lookUp();
          }
        } else {
          refuse(cmd, 404, "function " + function + " not found", 0);
        }
      }
      case UNKNOWN -> {
        if (lookupFailed) {
          refuse(cmd, 503, "the function registry is unavailable", 1);
        } else if (awaitingDefinition.size() >= MAX_BUFFERED) {
          refuse(cmd, 503, "too many jobs wait for the function's definition", 1);
        } else {
          awaitingDefinition.add(cmd);
        }
      }
      case DEPLOYED -> {
        if (buffer.size() >= MAX_BUFFERED) {
          refuse(cmd, 503, "too many jobs wait for the journal", 1);
        } else {
          buffer(new Batch.Accept(cmd));
        }
      }
    }
    return Effect().none();
  }

  private void refuse(Enqueue cmd, int status, String reason, int retryAfterSeconds) {
    log.debug("{}: refused {} with {}: {}", function, cmd.request().callId(), status, reason);
    cmd.replyTo().tell(new Refused(status, reason, retryAfterSeconds));
  }

  private Effect<JobEvent, QueueState> onAttemptDone(QueueState state, AttemptDone m) {
    return buffer(new Batch.Outcome(m.callId(), m.attempt(), m.outcome()));
  }

  private Effect<JobEvent, QueueState> onCallbackDone(QueueState state, CallbackDone m) {
    return buffer(new Batch.Delivery(m.callId(), m.attempt(), m.outcome()));
  }

  private Effect<JobEvent, QueueState> onCancel(QueueState state, JobQueue.Cancel m) {
    return buffer(new Batch.Cancel(m));
  }

  private Effect<JobEvent, QueueState> onRedrive(QueueState state, JobQueue.Redrive m) {
    return buffer(new Batch.Redrive(m));
  }

  private Effect<JobEvent, QueueState> buffer(Batch.Intent intent) {
    buffer.addLast(intent);
    requestFlush();
    return Effect().none();
  }

  private void requestFlush() {
    if (!flushPending) {
      flushPending = true;
      ctx.getSelf().tell(Flush.INSTANCE);
    }
  }

  /** Decides what is buffered and what can start, and writes it all at once. */
  private Effect<JobEvent, QueueState> onFlush(QueueState state, Flush m) {
    flushPending = false;
    Batch batch =
        new Batch(state, settings, definition, function, clock.millis(), random::nextDouble, log);
    while (!buffer.isEmpty() && !batch.full() && buffer.peekFirst().plan(batch)) {
      buffer.pollFirst();
    }
    batch.dispatch();
    batch.immediately().forEach(Runnable::run);
    return Effect().persist(batch.events()).thenRun(s -> written(s, batch));
  }

  private void written(QueueState state, Batch batch) {
    if (!batch.events().isEmpty()) {
      writes++;
      eventsWritten += batch.events().size();
    }
    count(batch.events());
    batch.afterWrite().forEach(Runnable::run);
    upkeep.decided(batch.callbacksDecided());
    for (Batch.Start start : batch.starts()) {
      run(state, start);
    }
    settle(state);
    if (!buffer.isEmpty() || dispatchPossible(state)) {
      requestFlush();
    }
  }

  /** Retries, dead letters and callbacks given up, for the telemetry. */
  private void count(List<JobEvent> events) {
    for (int i = 0; i < events.size(); i++) {
      JobEvent e = events.get(i);
      if (e instanceof JobFailed f && f.retryAtMillis() != 0) {
        meter.retried();
      } else if (e instanceof JobDeadLettered) {
        meter.deadLettered();
      } else if (e instanceof CallbackFailed c && c.retryAtMillis() == 0) {
        meter.callbackFailed();
      }
    }
  }

  private void run(QueueState state, Batch.Start start) {
    JobRequest request = state.job(start.callId()).orElseThrow().request().orElseThrow();
    log.debug("{}: {} attempt {} starts", function, start.callId(), start.attempt());
    CompletionStage<AttemptOutcome> outcome;
    try {
      outcome = wiring.runner().run(function, request, start.attempt());
    } catch (RuntimeException e) {
      outcome = CompletableFuture.failedFuture(e);
    }
    ctx.pipeToSelf(
        outcome,
        (o, failure) ->
            new AttemptDone(
                start.callId(), start.attempt(), o != null ? o : brokenRunner(failure)));
  }

  /** The runner's stage must not fail; if it does, the attempt counts as a connection error. */
  private static AttemptOutcome brokenRunner(Throwable failure) {
    return new AttemptOutcome(
        AttemptOutcome.Kind.CONNECTION_ERROR,
        502,
        List.of(),
        new byte[0],
        false,
        0,
        "the runner failed: " + failure);
  }

  private boolean dispatchPossible(QueueState state) {
    return switch (definition.status()) {
      case DEPLOYED ->
          state.runningCount() < definition.spec().maxConcurrency()
              && state.hasReady(clock.millis());
      case ABSENT -> state.hasWaiting();
      case UNKNOWN -> false;
    };
  }

  /** After every change: callbacks, the wake-up timer, the backlog. */
  private void settle(QueueState state) {
    upkeep.settle(state, definition);
  }

  private Effect<JobEvent, QueueState> onWake(QueueState state, Wake m) {
    upkeep.woken();
    settle(state);
    if (dispatchPossible(state)) {
      requestFlush();
    }
    return Effect().none();
  }

  private Effect<JobEvent, QueueState> onReportBacklog(QueueState state, ReportBacklog m) {
    upkeep.reportBacklog(state, definition);
    return Effect().none();
  }

  private Effect<JobEvent, QueueState> onReportDepth(QueueState state, ReportDepth m) {
    upkeep.reportDepth(state);
    return Effect().none();
  }

  // ---- The function's definition ----

  private void lookUp() {
    lookingUp = true;
    CompletionStage<Optional<FunctionRecord>> lookup;
    try {
      lookup = wiring.catalog().lookup(function);
    } catch (RuntimeException e) {
      lookup = CompletableFuture.failedFuture(e);
    }
    ctx.pipeToSelf(lookup, LookedUp::new);
    timers.startSingleTimer(LOOKUP_TIMER, LookupTimedOut.INSTANCE, settings.askTimeout());
  }

  private Effect<JobEvent, QueueState> onLookedUp(QueueState state, LookedUp m) {
    lookingUp = false;
    lastAnswerAt = clock.millis();
    if (m.failure() != null) {
      return lookupFailed(state, "the function registry failed: " + m.failure().getMessage());
    }
    timers.cancel(LOOKUP_TIMER);
    lookupFailed = false;
    define(state, definition.lookedUp(m.record(), defaults));
    releaseAwaiting(state); // still absent: now they get their 404
    return Effect().none();
  }

  private Effect<JobEvent, QueueState> onLookupTimedOut(QueueState state, LookupTimedOut m) {
    return lookupFailed(state, "the function registry did not answer");
  }

  private Effect<JobEvent, QueueState> lookupFailed(QueueState state, String reason) {
    if (definition.status() == Definition.Status.UNKNOWN) {
      log.warn(
          "{}: definition unavailable, asking again in {}: {}", function, LOOKUP_RETRY, reason);
      lookupFailed = true;
      awaitingDefinition.forEach(cmd -> refuse(cmd, 503, reason, 1));
      awaitingDefinition.clear();
      timers.cancel(LOOKUP_TIMER);
      timers.startSingleTimer(LOOKUP_TIMER, RetryLookup.INSTANCE, LOOKUP_RETRY);
    }
    return Effect().none();
  }

  private Effect<JobEvent, QueueState> onRetryLookup(QueueState state, RetryLookup m) {
    if (definition.status() == Definition.Status.UNKNOWN) {
      lookUp();
    }
    return Effect().none();
  }

  private Effect<JobEvent, QueueState> onConfigured(QueueState state, FunctionConfigured m) {
    return define(state, definition.configured(m.record(), defaults));
  }

  private Effect<JobEvent, QueueState> onRemoved(QueueState state, FunctionRemoved m) {
    return define(state, definition.removed(m.version()));
  }

  private Effect<JobEvent, QueueState> define(QueueState state, Definition next) {
    if (next.equals(definition)) {
      return Effect().none();
    }
    if (definition.status() == Definition.Status.UNKNOWN) {
      timers.cancel(LOOKUP_TIMER);
    }
    definition = next;
    log.info(
        "{}: function {} (version {}), async cap {}, retry {}",
        function,
        next.status().name().toLowerCase(java.util.Locale.ROOT),
        next.version(),
        next.spec().maxConcurrency(),
        next.spec().retry());
    releaseAwaiting(state);
    requestFlush();
    settle(state);
    return Effect().none();
  }

  /** Accepts that waited for the definition go the way the definition now says. */
  private void releaseAwaiting(QueueState state) {
    List<Enqueue> waiting = List.copyOf(awaitingDefinition);
    awaitingDefinition.clear();
    waiting.forEach(cmd -> onEnqueue(state, cmd));
  }

  // ---- Queries ----

  private Effect<JobEvent, QueueState> onGetJob(QueueState state, GetJob m) {
    m.replyTo()
        .tell(
            new JobQueue.JobReply(
                state.job(m.callId()).map(j -> j.view(function.toString(), preview()))));
    return Effect().none();
  }

  private Effect<JobEvent, QueueState> onListDeadLetters(QueueState state, ListDeadLetters m) {
    List<JobView> views =
        state.deadLetters(Math.max(0, m.limit())).stream()
            .map(j -> j.view(function.toString(), preview()))
            .toList();
    m.replyTo().tell(new JobQueue.DeadLetters(views, state.deadLetterCount()));
    return Effect().none();
  }

  private Effect<JobEvent, QueueState> onGetQueueStatus(QueueState state, GetQueueStatus m) {
    Counters c = state.counters();
    m.replyTo()
        .tell(
            new JobQueue.QueueStatus(
                state.queuedCount(),
                state.runningCount(),
                state.retryWaitCount(),
                state.deadLetterCount(),
                c.accepted(),
                c.succeeded(),
                c.failed(),
                c.retries(),
                c.callbackFailures(),
                state.oldestWaitingMillis(),
                c.cancelled(),
                c.reruns(),
                writes,
                eventsWritten));
    return Effect().none();
  }

  private int preview() {
    return settings.resultPreview();
  }

  private Effect<JobEvent, QueueState> onStop(QueueState state, Stop m) {
    String reason = "the queue of " + function + " is moving to another node; retry";
    for (Batch.Intent intent : buffer) {
      if (intent instanceof Batch.Accept accept) {
        refuse(accept.command(), 503, reason, 1);
      }
    }
    awaitingDefinition.forEach(cmd -> refuse(cmd, 503, reason, 1));
    log.debug("{}: stopping", function);
    return Effect().stop();
  }

  // ---- Events, recovery, snapshots ----

  @Override
  public EventHandler<QueueState, JobEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(JobAccepted.class, QueueState::onAccepted)
        .onEvent(JobStarted.class, QueueState::onStarted)
        .onEvent(JobSucceeded.class, QueueState::onSucceeded)
        .onEvent(JobFailed.class, QueueState::onFailed)
        .onEvent(JobDeadLettered.class, QueueState::onDeadLettered)
        .onEvent(JobCancelled.class, QueueState::onCancelled)
        .onEvent(JobRedriven.class, QueueState::onRedriven)
        .onEvent(CallbackDelivered.class, QueueState::onCallbackDelivered)
        .onEvent(CallbackFailed.class, QueueState::onCallbackFailed)
        .build();
  }

  @Override
  public SignalHandler<QueueState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.class, this::onRecovered)
        .onSignal(SnapshotFailed.class, this::onSnapshotFailed)
        .onSignal(PostStop.class, (state, signal) -> upkeep.stopped())
        .build();
  }

  private void onRecovered(QueueState state, RecoveryCompleted signal) {
    int interrupted = state.requeueInterrupted();
    long seq = lastSequenceNumber(ctx);
    lastSnapshotSeq = seq - seq % settings.snapshotEvery();
    if (seq > 0) {
      log.info(
          "{}: queue recovered at event {}: {} queued ({} interrupted, to run again), {} waiting"
              + " for a retry, {} dead letters",
          function,
          seq,
          state.queuedCount(),
          interrupted,
          state.retryWaitCount(),
          state.deadLetterCount());
    }
    settle(state);
  }

  private void onSnapshotFailed(QueueState state, SnapshotFailed signal) {
    log.warn("{}: snapshot failed: {}", function, signal.getFailure().getMessage());
  }

  /**
   * Rough bytes of one stored event: a snapshot is worth taking once replaying the events since the
   * last one would read about as much as the snapshot itself.
   */
  static final long EVENT_BYTES = 256;

  /**
   * Snapshot after {@code snapshot-every} events since the last, when the state is small enough
   * (see the class comment), and not before the events since the last outweigh the snapshot: a
   * queue holding a backlog of 20,000 jobs (about 6 MB) would otherwise write 6 MB every thousand
   * events and spend most of its time on snapshots (measured: accepts fell to half). Called by
   * Pekko for each event written, before it applies.
   */
  @Override
  public boolean shouldSnapshot(QueueState state, JobEvent event, long sequenceNr) {
    long bytes = state.snapshotBytes();
    long every = Math.max(settings.snapshotEvery(), bytes / EVENT_BYTES);
    if (sequenceNr - lastSnapshotSeq >= every && bytes <= settings.snapshotMaxBytes()) {
      lastSnapshotSeq = sequenceNr;
      return true;
    }
    return false;
  }

  /** Snapshots are immutable copies, made on the actor's thread when taken. */
  @Override
  public SnapshotAdapter<QueueState> snapshotAdapter() {
    int retain = settings.retainFinished();
    int preview = settings.resultPreview();
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(QueueState state) {
        return state.toSnapshot();
      }

      @Override
      public QueueState fromJournal(Object from) {
        return QueueState.fromSnapshot((QueueSnapshot) from, retain, preview);
      }
    };
  }
}
