package dev.shardless.scheduler.model;

import dev.shardless.scheduler.CborSerializable;
import java.util.Objects;

/**
 * A function's identity: its namespace and name. The sharding entity id is {@code namespace/name};
 * the invoke path uses {@code name.namespace}.
 */
public record FunctionId(String namespace, String name) implements CborSerializable {
  public FunctionId {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  /** The Cluster Sharding entity id, {@code namespace/name}. */
  public String entityId() {
    return namespace + "/" + name;
  }

  /** Parses an entity id made by {@link #entityId()}. */
  public static FunctionId fromEntityId(String entityId) {
    int slash = entityId.indexOf('/');
    if (slash <= 0 || slash == entityId.length() - 1) {
      throw new IllegalArgumentException("not a function entity id: " + entityId);
    }
    return new FunctionId(entityId.substring(0, slash), entityId.substring(slash + 1));
  }

  /** OpenFaaS's {@code name.namespace} form, used in metrics and log lines. */
  @Override
  public String toString() {
    return name + "." + namespace;
  }
}
