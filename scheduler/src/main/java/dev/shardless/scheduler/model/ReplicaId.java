package dev.shardless.scheduler.model;

import dev.shardless.scheduler.CborSerializable;

/**
 * One replica of a function, named by the entity that asked for it, e.g. {@code hello-3}. Unique
 * within one function for the lifetime of its entity incarnation.
 */
public record ReplicaId(String value) implements CborSerializable {
  @Override
  public String toString() {
    return value;
  }
}
