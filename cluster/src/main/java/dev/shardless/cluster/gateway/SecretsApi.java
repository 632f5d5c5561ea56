package dev.shardless.cluster.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.shardless.persistence.secrets.SecretCatalog;
import dev.shardless.persistence.secrets.SecretStore;
import dev.shardless.scheduler.model.FieldError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * {@code /system/secrets} (DESIGN.md §2): list (names only, never values), create, update and
 * delete a namespace's secrets, in the {@link SecretCatalog} that encrypts them at rest. Bodies are
 * {@code {name, namespace, value}} or {@code {name, namespace, rawValue}} ({@code rawValue} is
 * base64 bytes, as faas-cli sends for {@code --from-file}). Also answers which secrets a deployment
 * lists that do not exist.
 *
 * <p>Status codes: POST 201 (409 when it exists), PUT 200 (404), DELETE 200 (404); faas-cli accepts
 * these and rejects 204.
 */
final class SecretsApi {
  /**
   * Secret names as OpenFaaS accepts them: lower-case letters, digits, '-' and '.', starting and
   * ending with a letter or digit, at most 253 characters (a DNS-1123 subdomain). No '/', and never
   * "." or "..": the name is a file name under {@code /var/openfaas/secrets}.
   */
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

  private static final int MAX_NAME = 253;

  /** Resolves an optional namespace to one of the node's, or fails naming {@code namespace}. */
  @FunctionalInterface
  interface Namespaces {
    String resolve(String namespace) throws BadRequest;
  }

  private final SecretCatalog catalog;
  private final Namespaces namespaces;
  private final int maxValueBytes;
  private final Executor ec;
  private final SecretMirror mirror;

  SecretsApi(
      SecretCatalog catalog,
      SecretMirror mirror,
      Namespaces namespaces,
      int maxValueBytes,
      Executor ec) {
    this.catalog = catalog;
    this.mirror = mirror;
    this.namespaces = namespaces;
    this.maxValueBytes = maxValueBytes;
    this.ec = ec;
  }

  /** GET: {@code [{"name":"x","namespace":"ns"}]}, ordered by name. */
  CompletionStage<HttpResponse> list(String namespace) {
    return catalog
        .list(namespace)
        .thenApplyAsync(
            names -> {
              ArrayNode a = FunctionJson.MAPPER.createArrayNode();
              names.forEach(n -> a.addObject().put("name", n).put("namespace", namespace));
              return Responses.json(200, a);
            },
            ec);
  }

  /** POST: 201, or 409 when the secret exists. */
  CompletionStage<HttpResponse> create(String body) throws BadRequest {
    Write w = readWrite(body);
    return catalog
        .create(w.namespace, w.name, w.value)
        .thenComposeAsync(
            reply -> reply instanceof SecretStore.Conflict ? done(reply) : mirrored(w, reply), ec)
        .thenApplyAsync(
            reply ->
                reply instanceof SecretStore.Conflict
                    ? Responses.text(
                        409,
                        "secret "
                            + w.name
                            + " already exists in namespace "
                            + w.namespace
                            + "; use PUT to update it")
                    : Responses.text(201, "created secret " + w.name + "." + w.namespace),
            ec);
  }

  /** PUT: 200, or 404 when the secret does not exist. */
  CompletionStage<HttpResponse> update(String body) throws BadRequest {
    Write w = readWrite(body);
    return catalog
        .update(w.namespace, w.name, w.value)
        .thenComposeAsync(
            reply -> reply instanceof SecretStore.NotFound ? done(reply) : mirrored(w, reply), ec)
        .thenApplyAsync(
            reply ->
                reply instanceof SecretStore.NotFound
                    ? notFound(w.name, w.namespace)
                    : Responses.text(200, "updated secret " + w.name + "." + w.namespace),
            ec);
  }

  /** DELETE with body {@code {name, namespace}}: 200, or 404. */
  CompletionStage<HttpResponse> remove(String body) throws BadRequest {
    JsonNode json = FunctionJson.parse(body);
    List<FieldError> errors = new ArrayList<>();
    String name = readName(json, errors);
    String namespace = readNamespace(json, errors);
    throwIfAny(errors);
    return catalog
        .delete(namespace, name)
        .thenComposeAsync(
            reply ->
                reply instanceof SecretStore.NotFound
                    ? done(reply)
                    : mirror
                        .remove(namespace, name)
                        .handle((ok, error) -> afterMirror(reply, error, name, namespace)),
            ec)
        .thenApplyAsync(
            reply ->
                reply instanceof SecretStore.NotFound
                    ? notFound(name, namespace)
                    : Responses.text(200, "deleted secret " + name + "." + namespace),
            ec);
  }

  /**
   * Fails with a {@link BadRequest} naming {@code secrets} when one of {@code secrets} does not
   * exist in {@code namespace} (like faas-netes); completes normally otherwise.
   */
  CompletionStage<Void> requireExisting(String namespace, List<String> secrets) {
    if (secrets.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return catalog
        .missing(namespace, secrets)
        .thenApplyAsync(
            missing -> {
              if (!missing.isEmpty()) {
                throw new CompletionException(
                    new BadRequest(
                        "secrets",
                        "secret(s) "
                            + String.join(", ", missing)
                            + " do not exist in namespace "
                            + namespace
                            + "; create them with POST /system/secrets first"));
              }
              return null;
            },
            ec);
  }

  private record Write(String namespace, String name, byte[] value) {}

  private static <T> CompletionStage<T> done(T reply) {
    return CompletableFuture.completedFuture(reply);
  }

  /** The stored value written to the platform's copy too; {@code reply} passed on. */
  private <T> CompletionStage<T> mirrored(Write w, T reply) {
    return mirror
        .put(w.namespace, w.name, w.value)
        .handle((ok, error) -> afterMirror(reply, error, w.name, w.namespace));
  }

  private static <T> T afterMirror(T reply, Throwable error, String name, String namespace) {
    if (error == null) {
      return reply;
    }
    Throwable cause = Failures.cause(error);
    throw new Unavailable(
        "secret "
            + name
            + "."
            + namespace
            + " is stored, but its Kubernetes Secret could not be written ("
            + cause.getMessage()
            + "); PUT it again to retry",
        cause);
  }

  private Write readWrite(String body) throws BadRequest {
    JsonNode json = FunctionJson.parse(body);
    List<FieldError> errors = new ArrayList<>();
    String name = readName(json, errors);
    String namespace = readNamespace(json, errors);
    byte[] value = readValue(json, errors);
    throwIfAny(errors);
    return new Write(namespace, name, value);
  }

  private static String readName(JsonNode json, List<FieldError> errors) {
    String name = FunctionJson.string(json, "name", errors);
    if (name == null) {
      if (errors.stream().noneMatch(e -> e.field().equals("name"))) {
        errors.add(new FieldError("name", "is required"));
      }
    } else if (name.length() > MAX_NAME) {
      errors.add(
          new FieldError(
              "name", "must be at most " + MAX_NAME + " characters, was " + name.length()));
    } else if (!NAME.matcher(name).matches()) {
      errors.add(
          new FieldError(
              "name",
              "must be lower-case letters, digits, '-' and '.', starting and ending with a letter"
                  + " or digit, was '"
                  + name
                  + "'"));
    }
    return name;
  }

  private String readNamespace(JsonNode json, List<FieldError> errors) {
    String namespace = FunctionJson.string(json, "namespace", errors);
    try {
      return namespaces.resolve(namespace);
    } catch (BadRequest e) {
      errors.addAll(e.errors());
      return null;
    }
  }

  private byte[] readValue(JsonNode json, List<FieldError> errors) {
    String value = FunctionJson.string(json, "value", errors);
    String raw = FunctionJson.string(json, "rawValue", errors);
    if (value != null && raw != null) {
      errors.add(new FieldError("value", "give either value or rawValue, not both"));
      return null;
    }
    String field = raw != null ? "rawValue" : "value";
    byte[] bytes;
    if (raw != null) {
      try {
        bytes = Base64.getDecoder().decode(raw);
      } catch (IllegalArgumentException e) {
        errors.add(new FieldError("rawValue", "must be base64 (RFC 4648), was not"));
        return null;
      }
    } else if (value != null) {
      bytes = value.getBytes(StandardCharsets.UTF_8);
    } else {
      if (errors.stream()
          .noneMatch(e -> e.field().equals("value") || e.field().equals("rawValue"))) {
        errors.add(new FieldError("value", "is required (or rawValue, base64 bytes)"));
      }
      return null;
    }
    if (bytes.length > maxValueBytes) {
      errors.add(
          new FieldError(
              field,
              "must be at most "
                  + maxValueBytes
                  + " bytes (shardless.secrets.max-value-size), was "
                  + bytes.length));
      return null;
    }
    return bytes;
  }

  private static void throwIfAny(List<FieldError> errors) throws BadRequest {
    if (!errors.isEmpty()) {
      throw new BadRequest(errors);
    }
  }

  private static HttpResponse notFound(String name, String namespace) {
    return Responses.text(404, "secret " + name + " not found in namespace " + namespace);
  }
}
