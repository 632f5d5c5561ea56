package dev.shardless.scheduler.entity;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import dev.shardless.scheduler.port.FunctionCatalog;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A catalog whose single answer the test gives, now or later. */
final class FakeCatalog implements FunctionCatalog {
  final CompletableFuture<Optional<FunctionRecord>> answer = new CompletableFuture<>();

  static FakeCatalog holding(FunctionRecord record) {
    FakeCatalog c = new FakeCatalog();
    c.answer.complete(Optional.of(record));
    return c;
  }

  static FakeCatalog empty() {
    FakeCatalog c = new FakeCatalog();
    c.answer.complete(Optional.empty());
    return c;
  }

  /** Never answers until the test completes {@link #answer}. */
  static FakeCatalog pending() {
    return new FakeCatalog();
  }

  @Override
  public CompletionStage<Optional<FunctionRecord>> lookup(FunctionId function) {
    return answer;
  }
}
