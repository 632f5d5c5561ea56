package dev.shardless.persistence.async;

import dev.shardless.persistence.async.JobQueue.CallbackDone;
import dev.shardless.persistence.async.JobQueue.Command;
import dev.shardless.persistence.async.JobQueue.ReportBacklog;
import dev.shardless.persistence.async.JobQueue.ReportDepth;
import dev.shardless.persistence.async.JobQueue.Wake;
import dev.shardless.scheduler.model.FunctionId;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;

/**
 * What a {@link JobQueue} does after every change of its state, none of which is persisted: it
 * sends the callbacks that are due (at most {@value #MAX_CALLBACKS_IN_FLIGHT} at once), keeps one
 * timer for the earliest retry or callback due later, and reports the backlog to the {@link
 * BacklogReporter} when it changes and every {@link #BACKLOG_PERIOD} while above zero, and reports
 * the depth and the oldest job to the {@link QueueTelemetry} (the oldest, which costs a pass over
 * the unfinished jobs, at most every {@link #DEPTH_PERIOD}). All of it is lost with the incarnation
 * and rebuilt from the state on recovery.
 */
final class Upkeep {
  /** Callback deliveries in flight at most, per queue. */
  static final int MAX_CALLBACKS_IN_FLIGHT = 32;

  /** How often a backlog above zero is reported again (the entity forgets it on restart). */
  static final Duration BACKLOG_PERIOD = Duration.ofSeconds(1);

  /** The oldest job's acceptance time is recomputed at most this often. */
  static final Duration DEPTH_PERIOD = Duration.ofSeconds(1);

  private static final Object WAKE_TIMER = "wake";
  private static final Object DEPTH_TIMER = "depth";
  private static final Object BACKLOG_TIMER = "backlog";

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final FunctionId function;
  private final CallbackSender callbacks;
  private final BacklogReporter backlog;
  private final QueueTelemetry.QueueMeter meter;
  private final Clock clock;
  private final Logger log;

  /** Jobs whose callback is being delivered, until its outcome is written. */
  private final Set<String> delivering = new HashSet<>();

  private long wakeAt;
  private int lastBacklog;
  private boolean backlogTicking;

  private int lastDepth = -1;
  private long oldestAccepted;
  private long oldestComputedAt;
  private boolean depthTimerArmed;

  Upkeep(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      FunctionId function,
      CallbackSender callbacks,
      BacklogReporter backlog,
      QueueTelemetry.QueueMeter meter,
      Clock clock) {
    this.ctx = ctx;
    this.timers = timers;
    this.function = function;
    this.callbacks = callbacks;
    this.backlog = backlog;
    this.meter = meter;
    this.clock = clock;
    this.log = ctx.getLog();
  }

  /** After a change: sends due callbacks, arms the wake-up, reports the backlog. */
  void settle(QueueState state, Definition definition) {
    long now = clock.millis();
    sendDueCallbacks(state, now);
    armWake(state, now);
    reportBacklog(state, definition, now, false);
    reportDepth(state, now);
  }

  /** The depth timer fired: recompute the oldest job now. */
  void reportDepth(QueueState state) {
    depthTimerArmed = false;
    oldestComputedAt = 0;
    reportDepth(state, clock.millis());
  }

  /** The queue stops on this node: it holds nothing here any more. */
  void stopped() {
    meter.depth(0, 0);
  }

  /**
   * Depth on every change (three sizes); the oldest job at most every {@link #DEPTH_PERIOD}, with a
   * timer so that a recompute skipped now happens within the period.
   */
  private void reportDepth(QueueState state, long now) {
    int depth = state.queuedCount() + state.runningCount() + state.retryWaitCount();
    if (depth == 0) {
      oldestAccepted = 0;
    } else if (oldestAccepted == 0 || now - oldestComputedAt >= DEPTH_PERIOD.toMillis()) {
      oldestAccepted = state.oldestWaitingMillis();
      oldestComputedAt = now;
    } else if (!depthTimerArmed) {
      depthTimerArmed = true;
      timers.startSingleTimer(
          DEPTH_TIMER,
          ReportDepth.INSTANCE,
          Duration.ofMillis(Math.max(1, oldestComputedAt + DEPTH_PERIOD.toMillis() - now)));
    }
    if (depth != lastDepth || depth > 0) {
      lastDepth = depth;
      meter.depth(depth, oldestAccepted);
    }
  }

  /** The wake-up timer fired: it is no longer armed. */
  void woken() {
    wakeAt = 0;
  }

  /** The outcomes of these jobs' deliveries are decided (and written): they may go out again. */
  void decided(Collection<String> callIds) {
    delivering.removeAll(callIds);
  }

  /** The periodic report. */
  void reportBacklog(QueueState state, Definition definition) {
    reportBacklog(state, definition, clock.millis(), true);
  }

  private void sendDueCallbacks(QueueState state, long now) {
    if (delivering.size() >= MAX_CALLBACKS_IN_FLIGHT) {
      return;
    }
    for (StoredJob job : state.callbacksDue(now, MAX_CALLBACKS_IN_FLIGHT + delivering.size())) {
      if (delivering.size() >= MAX_CALLBACKS_IN_FLIGHT) {
        return;
      }
      if (delivering.add(job.callId())) {
        deliver(job);
      }
    }
  }

  private void deliver(StoredJob job) {
    String id = job.callId();
    StoredCallback callback = job.callback().orElseThrow();
    int attempt = callback.attempts() + 1;
    CallbackMessage message = CallbackMessage.of(function, job);
    log.debug("{}: callback of {} attempt {} to {}", function, id, attempt, callback.url());
    CompletionStage<CallbackSender.CallbackOutcome> outcome;
    try {
      outcome = callbacks.deliver(callback.url(), message.headers(), message.body());
    } catch (RuntimeException e) {
      outcome = CompletableFuture.failedFuture(e);
    }
    ctx.pipeToSelf(
        outcome,
        (o, failure) ->
            new CallbackDone(
                id,
                attempt,
                o != null
                    ? o
                    : new CallbackSender.CallbackOutcome(0, "the sender failed: " + failure)));
  }

  private void armWake(QueueState state, long now) {
    long next = state.nextDueAfter(now);
    if (next == 0) {
      if (wakeAt != 0) {
        timers.cancel(WAKE_TIMER);
        wakeAt = 0;
      }
    } else if (next != wakeAt) {
      timers.startSingleTimer(WAKE_TIMER, Wake.INSTANCE, Duration.ofMillis(next - now));
      wakeAt = next;
    }
  }

  /** {@code min(ready jobs, cap)} while deployed, else 0; reported when it changes. */
  private void reportBacklog(QueueState state, Definition definition, long now, boolean periodic) {
    int value =
        definition.deployed()
            ? Math.min(state.readyCount(now), definition.spec().maxConcurrency())
            : 0;
    if (value != lastBacklog || (periodic && value > 0)) {
      lastBacklog = value;
      try {
        backlog.backlog(function, value);
      } catch (RuntimeException e) {
        log.warn("{}: backlog reporter failed", function, e);
      }
    }
    if (value > 0 && !backlogTicking) {
      timers.startTimerWithFixedDelay(BACKLOG_TIMER, ReportBacklog.INSTANCE, BACKLOG_PERIOD);
      backlogTicking = true;
    } else if (value == 0 && backlogTicking) {
      timers.cancel(BACKLOG_TIMER);
      backlogTicking = false;
    }
  }
}
