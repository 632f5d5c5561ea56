package dev.shardless.k8s.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.shardless.invoker.logs.LogFormat;
import dev.shardless.invoker.logs.LogLine;
import dev.shardless.invoker.logs.LogReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The STAND-IN kubelet's log endpoint: what the API server's {@code pods/log} proxies to. HTTPS on
 * a free port of 127.0.0.1 with a self-signed certificate; {@code GET
 * /containerLogs/{namespace}/{pod}/{container}} answers the output of the process the stand-in runs
 * for the pod (its current run; the container name is not checked, each pod runs one), read from
 * the log file the invoker's process platform writes. Query parameters as the kubelet's: {@code
 * timestamps=true} prefixes each line with its time in Go's RFC3339Nano, {@code sinceTime}/{@code
 * sinceSeconds} keep the lines at or after that time, {@code tailLines} the last N, {@code
 * limitBytes} cuts the answer, {@code follow=true} keeps the response open and adds new lines
 * (polled every {@link #FOLLOW_POLL}) until the pod's process is gone or the client leaves. A pod
 * the stand-in does not run answers 404; one whose process has not started, 400 (as a kubelet's "is
 * waiting to start"). No authentication.
 */
final class KubeletLogServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KubeletLogServer.class);
  private static final Duration FOLLOW_POLL = Duration.ofMillis(100);
  private static final String PREFIX = "/containerLogs/";

  /** Where one pod's output is: its log directory and current replica (null: not started). */
  record Target(Path functionDir, String replica) {}

  private final HttpsServer server;
  private final ExecutorService handlers;
  private final ScheduledExecutorService followers;
  private final BiFunction<String, String, Target> pods;

  private KubeletLogServer(
      HttpsServer server,
      ExecutorService handlers,
      ScheduledExecutorService followers,
      BiFunction<String, String, Target> pods) {
    this.server = server;
    this.handlers = handlers;
    this.followers = followers;
    this.pods = pods;
  }

  /**
   * Starts serving on 127.0.0.1 (free port) with a certificate made in {@code dir}.
   *
   * @param pods (namespace, pod) → its target, or null for a pod not run here
   */
  static KubeletLogServer start(Path dir, BiFunction<String, String, Target> pods)
      throws IOException {
    SSLContext tls = tls(dir);
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    ExecutorService handlers =
        Executors.newCachedThreadPool(StandInKubelet.daemon("standin-kubelet-logs"));
    ScheduledExecutorService followers =
        Executors.newSingleThreadScheduledExecutor(StandInKubelet.daemon("standin-kubelet-follow"));
    KubeletLogServer s = new KubeletLogServer(server, handlers, followers, pods);
    server.createContext(PREFIX, s::handle);
    server.setExecutor(handlers);
    server.start();
    return s;
  }

  /** The port the API server is told (the Node's {@code kubeletEndpoint}). */
  int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    followers.shutdownNow();
    handlers.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      String[] parts = exchange.getRequestURI().getPath().substring(PREFIX.length()).split("/");
      Target target = parts.length == 3 ? pods.apply(parts[0], parts[1]) : null;
      if (target == null) {
        text(exchange, 404, "pod not found on this node\n");
        return;
      }
      if (target.replica() == null) {
        text(exchange, 400, "container \"" + parts[2] + "\" is waiting to start\n");
        return;
      }
      Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
      LogReader reader = new LogReader(target.functionDir(), target.replica());
      List<LogLine> lines = LogReader.select(reader.poll(), since(q), intParam(q, "tailLines"));
      boolean timestamps = "true".equals(q.get("timestamps"));
      byte[] body = format(lines, timestamps);
      int limit = intParam(q, "limitBytes");
      if (limit > 0 && body.length > limit) {
        body = java.util.Arrays.copyOf(body, limit);
      }
      exchange.getResponseHeaders().set("Content-Type", "text/plain");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      out.write(body);
      out.flush();
      if ("true".equals(q.get("follow"))) {
        follow(exchange, parts[0], parts[1], target, reader, timestamps);
      } else {
        exchange.close();
      }
    } catch (RuntimeException e) {
      log.warn(
          "Stand-in kubelet log request {} failed: {}", exchange.getRequestURI(), e.toString());
      exchange.close();
    }
  }

  /** Polls {@code reader} until the pod's run changes or the client is gone, then closes. */
  private void follow(
      HttpExchange exchange,
      String namespace,
      String pod,
      Target target,
      LogReader reader,
      boolean timestamps) {
    AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
    task.set(
        followers.scheduleWithFixedDelay(
            () -> {
              try {
                if (!target.equals(pods.apply(namespace, pod))) {
                  throw new IOException("the pod's process is gone");
                }
                byte[] more = format(reader.poll(), timestamps);
                if (more.length > 0) {
                  exchange.getResponseBody().write(more);
                  exchange.getResponseBody().flush();
                }
              } catch (IOException | RuntimeException e) {
                exchange.close();
                task.get().cancel(false);
              }
            },
            FOLLOW_POLL.toMillis(),
            FOLLOW_POLL.toMillis(),
            TimeUnit.MILLISECONDS));
  }

  private static byte[] format(List<LogLine> lines, boolean timestamps) {
    StringBuilder s = new StringBuilder();
    for (LogLine l : lines) {
      if (timestamps) {
        s.append(LogFormat.rfc3339(l.timestamp())).append(' ');
      }
      s.append(l.text()).append('\n');
    }
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static Instant since(Map<String, String> q) {
    if (q.containsKey("sinceTime")) {
      return LogFormat.parseRfc3339(q.get("sinceTime"));
    }
    int seconds = intParam(q, "sinceSeconds");
    return seconds > 0 ? Instant.now().minusSeconds(seconds) : null;
  }

  private static int intParam(Map<String, String> q, String name) {
    String v = q.get(name);
    return v == null || v.isEmpty() ? 0 : Integer.parseInt(v);
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw == null) {
      return q;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      q.put(
          URLDecoder.decode(k, StandardCharsets.UTF_8),
          URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return q;
  }

  private static void text(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private static SSLContext tls(Path dir) throws IOException {
    String password = "standin-kubelet";
    try {
      Path store =
          TestPki.selfSignedKeyStore(dir, "standin-kubelet", password, dir.resolve("openssl.log"));
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        keys.load(in, password.toCharArray());
      }
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password.toCharArray());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot load the stand-in kubelet's certificate", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while making the stand-in kubelet's certificate", e);
    }
  }
}
