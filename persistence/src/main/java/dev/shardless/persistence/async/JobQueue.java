package dev.shardless.persistence.async;

import dev.shardless.scheduler.CborSerializable;
import dev.shardless.scheduler.model.FunctionRecord;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One function's durable async job queue (sharded by the function's entity id). Protocol only in
 * this step; the behaviour follows.
 */
public final class JobQueue {
  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "async-queue");

  private JobQueue() {}

  public static org.apache.pekko.actor.typed.ActorRef<
          org.apache.pekko.cluster.sharding.typed.ShardingEnvelope<Command>>
      init(
          org.apache.pekko.actor.typed.ActorSystem<?> system,
          AsyncSettings settings,
          dev.shardless.scheduler.port.FunctionCatalog catalog,
          JobRunner runner,
          CallbackSender callbacks,
          BacklogReporter backlog,
          java.time.Clock clock) {
    throw new UnsupportedOperationException("stub");
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
      long oldestWaitingEpochMillis)
      implements CborSerializable {}
}
