package dev.shardless.persistence.async;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import dev.shardless.scheduler.port.FunctionCatalog;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A catalog with one answer for every function: a record, none, or one the test gives later; the
 * test may change it for later look-ups.
 */
final class FixedCatalog implements FunctionCatalog {
  volatile CompletableFuture<Optional<FunctionRecord>> answer = new CompletableFuture<>();

  static FixedCatalog of(FunctionRecord record) {
    FixedCatalog c = new FixedCatalog();
    c.answer.complete(Optional.of(record));
    return c;
  }

  static FixedCatalog empty() {
    FixedCatalog c = new FixedCatalog();
    c.answer.complete(Optional.empty());
    return c;
  }

  static FixedCatalog pending() {
    return new FixedCatalog();
  }

  /** Later look-ups get {@code record}. */
  void now(Optional<FunctionRecord> record) {
    answer = CompletableFuture.completedFuture(record);
  }

  @Override
  public CompletionStage<Optional<FunctionRecord>> lookup(FunctionId function) {
    return answer;
  }
}
