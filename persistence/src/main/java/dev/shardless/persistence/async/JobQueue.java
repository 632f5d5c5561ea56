package dev.shardless.persistence.async;

import dev.shardless.persistence.RememberedEntities;
import dev.shardless.scheduler.CborSerializable;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import dev.shardless.scheduler.port.FunctionCatalog;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * One function's durable async job queue: an event-sourced entity, sharded by the function's entity
 * id ({@code namespace/name}), persistence id {@code async-queue|namespace/name}. The protocol is
 * here; the behaviour is {@link QueueBehavior}, whose Javadoc says how jobs are accepted, batched,
 * dispatched, retried, called back and recovered, and what a restart loses.
 */
public final class JobQueue {
  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "async-queue");

  private JobQueue() {}

  /**
   * The queue of {@code function}: recovers its jobs from the journal, looks the function up in
   * {@code catalog} (commands wait meanwhile), then runs jobs through {@code runner}, delivers
   * callbacks through {@code callbacks}, reports its backlog to {@code backlog} and its metrics to
   * {@code telemetry}. {@code clock} stamps events and decides when retries and callbacks are due.
   */
  public static Behavior<Command> create(
      FunctionId function,
      AsyncSettings settings,
      FunctionCatalog catalog,
      JobRunner runner,
      CallbackSender callbacks,
      BacklogReporter backlog,
      QueueTelemetry telemetry,
      Clock clock) {
    QueueBehavior.Wiring wiring =
        new QueueBehavior.Wiring(
            function, settings, catalog, runner, callbacks, backlog, telemetry, clock);
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new QueueBehavior(ctx, timers, wiring)));
  }

  /** {@code async-queue|<namespace>/<name>}. */
  public static PersistenceId persistenceIdOf(FunctionId function) {
    return PersistenceId.of(TYPE_KEY.name(), function.entityId());
  }

  /**
   * Starts sharding of the queues on this node; send to a queue with the function's {@link
   * FunctionId#entityId()}. Entities are remembered (in the journal, like the function registry's),
   * so after a node or cluster restart every queue that ever started comes back by itself and
   * resumes its unfinished jobs and callbacks; remembered entities are never passivated. A queue
   * stops on hand-off with {@link Stop}.
   */
  public static ActorRef<ShardingEnvelope<Command>> init(
      ActorSystem<?> system,
      AsyncSettings settings,
      FunctionCatalog catalog,
      JobRunner runner,
      CallbackSender callbacks,
      BacklogReporter backlog,
      QueueTelemetry telemetry,
      Clock clock) {
    return ClusterSharding.get(system)
        .init(
            Entity.of(
                    TYPE_KEY,
                    ctx ->
                        create(
                            FunctionId.fromEntityId(ctx.getEntityId()),
                            settings,
                            catalog,
                            runner,
                            callbacks,
                            backlog,
                            telemetry,
                            clock))
                .withStopMessage(Stop.INSTANCE)
                .withSettings(RememberedEntities.settings(system)));
  }

  /** Everything the queue understands. */
  public sealed interface Command extends CborSerializable {}

  /** Sent by the shard on passivation or hand-off (register with withStopMessage). */
  public enum Stop implements Command {
    INSTANCE
  }

  /**
   * Accept a job: answered with {@link Accepted} only once it is durable, with {@link Refused}
   * otherwise. A {@code callerSuppliedId} already known answers {@code Accepted(duplicate=true)}.
   */
  public record Enqueue(JobRequest request, ActorRef<EnqueueReply> replyTo) implements Command {}

  /** Answer to {@link Enqueue}. */
  public sealed interface EnqueueReply extends CborSerializable {}

  /** The job is durable (or was already: {@code duplicate}). */
  public record Accepted(String callId, boolean duplicate) implements EnqueueReply {}

  /**
   * Not accepted: 404 (function not deployed) or 503 (queue full or the journal failed; retry after
   * {@code retryAfterSeconds}).
   */
  public record Refused(int status, String reason, int retryAfterSeconds) implements EnqueueReply {}

  /** The definition in force (from the registry, like FunctionEntity.Configure). */
  public record FunctionConfigured(FunctionRecord record) implements Command {}

  /** The function was deleted: waiting jobs are dead-lettered ("function deleted"). */
  public record FunctionRemoved(long version) implements Command {}

  /** One job's view, empty when unknown (never accepted, or finished and no longer retained). */
  public record GetJob(String callId, ActorRef<JobReply> replyTo) implements Command {}

  /** Answer to {@link GetJob}. */
  public record JobReply(Optional<JobView> job) implements CborSerializable {}

  /** Cancel a job that has not finished nor started its attempt. */
  public record Cancel(String callId, ActorRef<CancelReply> replyTo) implements Command {}

  /** Answer to {@link Cancel}: {@code job} is the job after the call, empty when NOT_FOUND. */
  public record CancelReply(CancelOutcome outcome, Optional<JobView> job)
      implements CborSerializable {}

  /** What a cancel did. */
  public enum CancelOutcome {
    CANCELLED,
    NOT_FOUND,
    /** Running now or already finished. */
    NOT_CANCELLABLE
  }

  /** The dead letters, oldest first, at most {@code limit}. */
  public record ListDeadLetters(int limit, ActorRef<DeadLetters> replyTo) implements Command {}

  /** Answer to {@link ListDeadLetters}: {@code total} may exceed {@code jobs.size()}. */
  public record DeadLetters(List<JobView> jobs, int total) implements CborSerializable {}

  /**
   * Queue dead-lettered jobs again with a fresh attempt budget; {@code callIds} empty means all.
   * Replies with the ids requeued (unknown or not dead-lettered ids are skipped).
   */
  public record Redrive(List<String> callIds, ActorRef<Redriven> replyTo) implements Command {}

  /** Answer to {@link Redrive}. */
  public record Redriven(List<String> callIds) implements CborSerializable {}

  /** Counts for status pages and metrics. */
  public record GetQueueStatus(ActorRef<QueueStatus> replyTo) implements Command {}

  /**
   * Answer to {@link GetQueueStatus}.
   *
   * @param queued waiting for a slot (not running, not waiting for a retry)
   * @param running attempts in progress
   * @param retryWaiting waiting for a retry's delay
   * @param deadLetters jobs in the dead letters
   * @param accepted jobs accepted since the queue was created (all incarnations)
   * @param succeeded jobs that succeeded (all incarnations)
   * @param failed jobs failed or dead-lettered (all incarnations)
   * @param retries attempts after the first (all incarnations)
   * @param callbackFailures callbacks given up (all incarnations)
   * @param oldestWaitingEpochMillis acceptance time of the oldest unfinished job, 0 when none
   * @param cancelled jobs cancelled (all incarnations)
   * @param reruns attempts started again because a restart interrupted them (all incarnations)
   * @param writes journal writes (batches) of this incarnation
   * @param eventsWritten events in those writes: {@code eventsWritten / writes} is the batch size
   */
  public record QueueStatus(
      int queued,
      int running,
      int retryWaiting,
      int deadLetters,
      long accepted,
      long succeeded,
      long failed,
      long retries,
      long callbackFailures,
      long oldestWaitingEpochMillis,
      long cancelled,
      long reruns,
      long writes,
      long eventsWritten)
      implements CborSerializable {}

  // ---- Internal messages: sent only by the queue to itself (never over the network). ----

  /** Write what is buffered as one batch, then dispatch. */
  enum Flush implements Command {
    INSTANCE
  }

  /** Attempt {@code attempt} of job {@code callId} ended (from the runner, via pipeToSelf). */
  record AttemptDone(String callId, int attempt, AttemptOutcome outcome) implements Command {}

  /** Delivery attempt {@code attempt} of job {@code callId}'s callback ended. */
  record CallbackDone(String callId, int attempt, CallbackSender.CallbackOutcome outcome)
      implements Command {}

  /** A retry or a callback delivery is due. */
  enum Wake implements Command {
    INSTANCE
  }

  /** Time to report the backlog again (the function's entity forgets it when it restarts). */
  enum ReportBacklog implements Command {
    INSTANCE
  }

  /** Time to recompute the age of the oldest job for the telemetry. */
  enum ReportDepth implements Command {
    INSTANCE
  }

  /** The catalog answered: the definition, none, or a failure. */
  record LookedUp(Optional<FunctionRecord> record, Throwable failure) implements Command {}

  /** The catalog did not answer within {@code shardless.async.ask-timeout}. */
  enum LookupTimedOut implements Command {
    INSTANCE
  }

  /** Time to ask the catalog again after a failure. */
  enum RetryLookup implements Command {
    INSTANCE
  }
}
