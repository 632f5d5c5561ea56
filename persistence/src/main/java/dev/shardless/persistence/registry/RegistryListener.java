package dev.shardless.persistence.registry;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;

/**
 * Told by a {@link FunctionRegistry} about definitions in force, so the node can pass them on to
 * the sharded {@code FunctionEntity} ({@code Configure}/{@code Remove}).
 *
 * <p>Called on the registry actor's thread after each change is persisted, and once for every live
 * function when the registry recovers (after a node restart or a rebalance), so entities are woken
 * with their definition. Calls may therefore repeat a version already seen: receivers must ignore
 * versions not newer than the one they run. Implementations must not block (a {@code tell} is the
 * intended body); an exception is logged and otherwise ignored.
 */
public interface RegistryListener {

  /** {@code record} is in force (deployed, updated, or recovered). */
  void configured(FunctionRecord record);

  /**
   * {@code record} was just deployed or updated (after {@link #configured}; never on recovery), for
   * receivers that only need to hear of changes, such as a function's async queue, which looks its
   * definition up when it starts and must not be started for every function on recovery.
   */
  default void changed(FunctionRecord record) {}

  /**
   * {@code id} was deleted; {@code version} is the version the deletion consumed, higher than the
   * last record's, so it orders after every configuration of the deleted function.
   */
  void removed(FunctionId id, long version);

  /** A listener that does nothing (gateway-only use, tests). */
  static RegistryListener none() {
    return new RegistryListener() {
      @Override
      public void configured(FunctionRecord record) {}

      @Override
      public void removed(FunctionId id, long version) {}
    };
  }
}
