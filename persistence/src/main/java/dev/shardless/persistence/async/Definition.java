package dev.shardless.persistence.async;

import dev.shardless.scheduler.model.AsyncSpec;
import dev.shardless.scheduler.model.FunctionRecord;
import dev.shardless.scheduler.model.RetrySchedule;
import java.util.Optional;

/**
 * What a {@link JobQueue} knows of its function: not yet (looking it up), deployed with its {@link
 * AsyncSpec}, or absent (deleted, or never deployed). Immutable; versions decide which news wins,
 * as in the function entity: a definition or deletion never replaces a newer one.
 *
 * @param status what is known
 * @param version the registry version of the definition or deletion in force (0: none)
 * @param spec the async settings in force; while not deployed, the last known (or the defaults)
 */
record Definition(Status status, long version, AsyncSpec spec) {
  /** What is known of the function. */
  enum Status {
    UNKNOWN,
    DEPLOYED,
    ABSENT
  }

  /** Before the look-up answers: the node's default retry, cap 1 (nothing runs meanwhile). */
  static Definition unknown(RetrySchedule defaults) {
    return new Definition(Status.UNKNOWN, 0, new AsyncSpec(defaults, 1));
  }

  boolean deployed() {
    return status == Status.DEPLOYED;
  }

  /** With {@code record} in force, unless what is known is as new or newer. */
  Definition configured(FunctionRecord record, RetrySchedule defaults) {
    if (status != Status.UNKNOWN && record.version() <= version) {
      return this;
    }
    return new Definition(Status.DEPLOYED, record.version(), AsyncSpec.of(record.spec(), defaults));
  }

  /** Deleted at {@code deletedVersion}, unless a newer definition is known. */
  Definition removed(long deletedVersion) {
    if (status != Status.UNKNOWN && deletedVersion <= version) {
      return this;
    }
    return new Definition(Status.ABSENT, deletedVersion, spec);
  }

  /**
   * The catalog's answer: it decides only while nothing is known (a {@code FunctionConfigured} that
   * arrived first wins), or when it is newer.
   */
  Definition lookedUp(Optional<FunctionRecord> record, RetrySchedule defaults) {
    if (record.isPresent()) {
      return configured(record.get(), defaults);
    }
    return status == Status.UNKNOWN ? new Definition(Status.ABSENT, 0, spec) : this;
  }
}
