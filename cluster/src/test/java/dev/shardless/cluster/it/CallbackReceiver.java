package dev.shardless.cluster.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server in the test JVM that receives {@code X-Callback-Url} deliveries and keeps
 * them. It can refuse the first deliveries with a status, to exercise callback retries.
 */
final class CallbackReceiver implements AutoCloseable {
  /** One delivery: lower-cased header names, the body as text. */
  record Delivery(String path, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    String callId() {
      return header("X-Call-Id");
    }
  }

  private final HttpServer server;
  private final ConcurrentLinkedQueue<Delivery> received = new ConcurrentLinkedQueue<>();
  private final AtomicInteger refusals = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private volatile int refusalStatus = 503;

  CallbackReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/", this::handle);
    server.start();
  }

  /** The URL to hand out as {@code X-Callback-Url}, with {@code path} appended. */
  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** Answer the next {@code n} deliveries with {@code status} (not recorded as received). */
  void refuseNext(int n, int status) {
    refusalStatus = status;
    refusals.set(n);
  }

  /** Deliveries answered with a refusal so far. */
  int refused() {
    return refused.get();
  }

  List<Delivery> received() {
    return new ArrayList<>(received);
  }

  /** How many deliveries carried each call id. */
  Map<String, Integer> countsByCallId() {
    Map<String, Integer> counts = new HashMap<>();
    for (Delivery d : received) {
      counts.merge(d.callId(), 1, Integer::sum);
    }
    return counts;
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    if (refusals.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      refused.incrementAndGet();
      exchange.sendResponseHeaders(refusalStatus, -1);
      exchange.close();
      return;
    }
    Map<String, String> headers = new HashMap<>();
    exchange
        .getRequestHeaders()
        .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
    received.add(
        new Delivery(
            exchange.getRequestURI().getPath(), headers, new String(body, StandardCharsets.UTF_8)));
    exchange.sendResponseHeaders(200, -1);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
