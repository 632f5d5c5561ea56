package dev.shardless.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * The node's OpenFaaS system API (docs/api.md), as far as the simulations need it to set up and
 * clean up their functions: outside the measured load, blocking, with plain JDK HTTP.
 */
public final class AdminApi {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(100);

  private final LoadSettings settings;
  private final String authorization;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public AdminApi(LoadSettings settings) {
    this.settings = settings;
    this.authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    (settings.adminUser() + ":" + settings.adminPassword())
                        .getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Deploys {@code name} running the settings' process in HTTP mode with these labels; a function
   * of that name left over from an interrupted run is updated instead ({@code 409} then {@code
   * PUT}).
   */
  public void deploy(String name, Map<String, String> labels) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("service", name);
    body.put("image", "loadtest/" + name);
    body.put("envProcess", settings.process());
    body.put("envVars", Map.of("mode", "http"));
    body.put("labels", labels);
    String json = toJson(body);
    HttpResponse<String> created = send("POST", "/system/functions", json);
    if (created.statusCode() == 409) {
      expect(send("PUT", "/system/functions", json), 200, "update " + name);
    } else {
      expect(created, 202, "deploy " + name);
    }
  }

  /** Deletes {@code name}; one that is already gone is fine. */
  public void delete(String name) {
    HttpResponse<String> r =
        send("DELETE", "/system/functions", toJson(Map.of("functionName", name)));
    if (r.statusCode() != 404) {
      expect(r, 200, "delete " + name);
    }
  }

  /** Sets the replica count of {@code name} ({@code POST /system/scale-function}). */
  public void scale(String name, int replicas) {
    expect(
        send(
            "POST",
            "/system/scale-function/" + name,
            toJson(Map.of("serviceName", name, "replicas", replicas))),
        202,
        "scale " + name);
  }

  /**
   * Waits until every one of {@code names} has a number of ready replicas that {@code ready}
   * accepts; fails after {@code timeout}.
   */
  public void awaitReplicas(List<String> names, IntPredicate ready, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    for (String name : names) {
      int available = availableReplicas(name);
      while (!ready.test(available)) {
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException(
              name + " still has " + available + " ready replicas after " + timeout);
        }
        pause();
        available = availableReplicas(name);
      }
    }
  }

  private int availableReplicas(String name) {
    HttpResponse<String> r = send("GET", "/system/function/" + name, null);
    expect(r, 200, "status of " + name);
    try {
      JsonNode status = JSON.readTree(r.body());
      return status.path("availableReplicas").asInt();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpResponse<String> send(String method, String path, String body) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(settings.url() + path))
            .timeout(CALL_TIMEOUT)
            .header("Authorization", authorization)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void expect(HttpResponse<String> r, int status, String what) {
    if (r.statusCode() != status) {
      throw new IllegalStateException(
          what + ": expected " + status + ", got " + r.statusCode() + " " + r.body().strip());
    }
  }

  private static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void pause() {
    try {
      Thread.sleep(POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
