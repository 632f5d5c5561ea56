package dev.shardless.scheduler.model;

import dev.shardless.scheduler.CborSerializable;

/**
 * OpenFaaS {@code limits}/{@code requests}: Kubernetes quantities as strings (e.g. {@code "128Mi"},
 * {@code "500m"}); either may be null.
 */
public record Resources(String memory, String cpu) implements CborSerializable {
  public static final Resources NONE = new Resources(null, null);

  public boolean isEmpty() {
    return memory == null && cpu == null;
  }
}
