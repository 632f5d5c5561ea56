package dev.shardless.scheduler.model;

/** A problem with one field of a client's input, e.g. {@code service: must be ...}. */
public record FieldError(String field, String message) {
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
