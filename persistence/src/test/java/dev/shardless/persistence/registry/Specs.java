package dev.shardless.persistence.registry;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.Resources;
import java.util.List;
import java.util.Map;

/** Function specs for tests. */
final class Specs {
  private Specs() {}

  static FunctionSpec spec(String namespace, String name, String image) {
    return new FunctionSpec(
        new FunctionId(namespace, name),
        image,
        "cat",
        Map.of("mode", "http"),
        List.of(),
        List.of("api-key"),
        Map.of("faas_function", name),
        Map.of(),
        new Resources("128Mi", null),
        Resources.NONE,
        false);
  }

  static String name(FunctionRecord record) {
    return record.spec().id().name();
  }
}
