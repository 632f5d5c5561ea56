package dev.shardless.scheduler.port;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where an entity that starts (first use, restart, rebalance) finds its function's definition. The
 * durable registry implements it.
 */
public interface FunctionCatalog {
  /** The current definition, or empty when no such function is deployed. */
  CompletionStage<Optional<FunctionRecord>> lookup(FunctionId function);
}
