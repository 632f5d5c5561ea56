package dev.shardless.persistence.async;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import dev.shardless.scheduler.port.FunctionCatalog;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A catalog with one answer for every function: a record, none, or one the test gives later. */
final class FixedCatalog implements FunctionCatalog {
  final CompletableFuture<Optional<FunctionRecord>> answer = new CompletableFuture<>();

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

  @Override
  public CompletionStage<Optional<FunctionRecord>> lookup(FunctionId function) {
    return answer;
  }
}
