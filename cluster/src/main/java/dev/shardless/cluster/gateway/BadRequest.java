package dev.shardless.cluster.gateway;

import dev.shardless.scheduler.model.FieldError;
import java.util.List;
import java.util.stream.Collectors;

/** A client mistake found while reading a request; becomes a 400 that names each field. */
public final class BadRequest extends Exception {
  private final transient List<FieldError> errors;

  public BadRequest(List<FieldError> errors) {
    super(errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")));
    this.errors = List.copyOf(errors);
  }

  public BadRequest(String field, String message) {
    this(List.of(new FieldError(field, message)));
  }

  public List<FieldError> errors() {
    return errors;
  }
}
