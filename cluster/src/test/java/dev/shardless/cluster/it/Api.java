package dev.shardless.cluster.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

/** A small OpenFaaS API client for tests, over real sockets. */
final class Api {
  /**
   * Liveness bound on one call, far above any expected answer: a request that hangs fails the test
   * loudly instead of passing on the HTTP client's silent retry.
   */
  static final java.time.Duration CALL_BOUND = java.time.Duration.ofSeconds(120);

  static final ObjectMapper JSON = new ObjectMapper();
  static final Path FUNCTIONS = Path.of("src", "test", "resources", "functions").toAbsolutePath();

  private final NodeProcess node;
  private final HttpClient client = HttpClient.newBuilder().build();

  Api(NodeProcess node) {
    this.node = node;
  }

  HttpResponse<String> system(String method, String path, String body) throws Exception {
    return system(method, path, body, NodeProcess.USER, NodeProcess.PASSWORD);
  }

  HttpResponse<String> system(String method, String path, String body, String user, String pass)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(node.uri(path))
            .timeout(CALL_BOUND)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (user != null) {
      b.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8)));
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> invoke(String method, String path, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(node.uri(path))
            .timeout(CALL_BOUND)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    HttpRequest bounded =
        HttpRequest.newBuilder(request, (name, value) -> true).timeout(CALL_BOUND).build();
    return client.send(bounded, HttpResponse.BodyHandlers.ofString());
  }

  /** POSTs {@code body} to {@code /async-function/<path>} with extra headers (name, value, …). */
  HttpResponse<String> async(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(node.uri("/async-function/" + path))
            .timeout(CALL_BOUND)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  URI uri(String path) {
    return node.uri(path);
  }

  /** The probe function's call that prints {@code text} on {@code lines} lines of its stdout. */
  static String printPath(String function, String text, int lines) {
    return "/function/"
        + function
        + "/print?lines="
        + lines
        + "&text="
        + java.net.URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  /** A deploy body for the probe function (HTTP mode) with extra env and labels as JSON text. */
  static String probe(String name, String envJson, String labelsJson) {
    return "{\"service\":\""
        + name
        + "\",\"image\":\"test/probe\",\"envProcess\":\"python3 "
        + FUNCTIONS.resolve("probe.py")
        + "\",\"envVars\":{\"mode\":\"http\""
        + (envJson.isEmpty() ? "" : "," + envJson)
        + "},\"labels\":{"
        + labelsJson
        + "}}";
  }

  /** A deploy body for the classic-mode shell test function. */
  static String classic(String name, String envJson) {
    return "{\"service\":\""
        + name
        + "\",\"image\":\"test/classic\",\"envProcess\":\"sh "
        + FUNCTIONS.resolve("classic.sh")
        + "\",\"envVars\":{"
        + envJson
        + "}}";
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }
}
