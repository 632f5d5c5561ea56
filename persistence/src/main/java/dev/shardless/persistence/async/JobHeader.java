package dev.shardless.persistence.async;

import dev.shardless.scheduler.CborSerializable;
import java.util.Objects;

/** One HTTP header of a job's request or of a function's response, kept in the order received. */
public record JobHeader(String name, String value) implements CborSerializable {
  public JobHeader {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }
}
