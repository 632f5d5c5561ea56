package dev.shardless.cluster.gateway;

/**
 * A store the REST API writes through did not do its part (the Kubernetes API server refused or did
 * not answer); becomes a 503 whose body is the message, so it must be fit for a user.
 */
public final class Unavailable extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public Unavailable(String message, Throwable cause) {
    super(message, cause);
  }
}
