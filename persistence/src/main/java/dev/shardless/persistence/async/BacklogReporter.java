package dev.shardless.persistence.async;

import dev.shardless.scheduler.model.FunctionId;

/**
 * Port: tells the function's scheduler how many async jobs wait to be dispatched, so the backlog
 * counts as scaling demand and keeps the function from idling to zero (the node sends {@code
 * FunctionEntity.AsyncBacklog} through sharding).
 */
public interface BacklogReporter {
  /** {@code pending} jobs of {@code function} are queued and not yet dispatched. */
  void backlog(FunctionId function, int pending);
}
