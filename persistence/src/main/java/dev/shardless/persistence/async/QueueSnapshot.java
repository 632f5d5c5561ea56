package dev.shardless.persistence.async;

import dev.shardless.scheduler.CborSerializable;
import java.util.List;

/**
 * A {@link JobQueue}'s state as its snapshot store keeps it: an immutable copy of the jobs it
 * remembers, grouped so that their order can be rebuilt, and its counters.
 *
 * @param nextSeq the sequence the next accepted (or redriven) job gets
 * @param counters the totals over all incarnations
 * @param unfinished QUEUED, RUNNING and RETRY_WAIT jobs (their own fields say where)
 * @param deadLetters the dead letters, oldest first
 * @param settling finished jobs whose callback still has to go out
 * @param finished the retained finished jobs whose callback (if any) settled, oldest first
 */
public record QueueSnapshot(
    long nextSeq,
    Counters counters,
    List<StoredJob> unfinished,
    List<StoredJob> deadLetters,
    List<StoredJob> settling,
    List<StoredJob> finished)
    implements CborSerializable {

  public QueueSnapshot {
    unfinished = List.copyOf(unfinished);
    deadLetters = List.copyOf(deadLetters);
    settling = List.copyOf(settling);
    finished = List.copyOf(finished);
  }

  /** Totals over all incarnations of the queue. */
  public record Counters(
      long accepted,
      long succeeded,
      long failed,
      long cancelled,
      long retries,
      long reruns,
      long callbackFailures)
      implements CborSerializable {
    public static final Counters ZERO = new Counters(0, 0, 0, 0, 0, 0, 0);
  }
}
