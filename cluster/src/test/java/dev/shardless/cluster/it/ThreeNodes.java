package dev.shardless.cluster.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Three real nodes on 127.0.0.1 forming one Pekko Cluster through a static seed-node list, on one
 * Cassandra keyspace prefix. Node {@code i} keeps its cluster port and data directory across
 * restarts, so a restarted node rejoins as the same member address.
 */
final class ThreeNodes implements AutoCloseable {
  private static final Pattern MANAGEMENT = Pattern.compile("management \\(health.*\\): (\\S+)");

  private final Path dir;
  private final Map<String, String> env;
  private final int[] clusterPorts = new int[3];
  private final NodeProcess[] nodes = new NodeProcess[3];
  private final Api[] apis = new Api[3];
  private final HttpClient client = HttpClient.newHttpClient();

  ThreeNodes(Path dir, Map<String, String> extraEnv) throws IOException {
    this.dir = dir;
    List<String> seeds = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      clusterPorts[i] = freePort();
      seeds.add("127.0.0.1:" + clusterPorts[i]);
    }
    Map<String, String> e = new HashMap<>(AsyncContract.env(CassandraBackend.env()));
    e.put("SHARDLESS_SEED_NODES", String.join(",", seeds));
    e.putAll(extraEnv);
    this.env = Map.copyOf(e);
  }

  /** Starts the three nodes at once (the first seed forms the cluster, the others join it). */
  ThreeNodes start() {
    List<CompletableFuture<Void>> starts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int n = i;
      starts.add(CompletableFuture.runAsync(() -> startNode(n)));
    }
    starts.forEach(CompletableFuture::join);
    awaitMembers(3);
    return this;
  }

  /** (Re)starts node {@code i} and waits until it serves. */
  void startNode(int i) {
    Map<String, String> e = new HashMap<>(env);
    e.put("SHARDLESS_CLUSTER_PORT", Integer.toString(clusterPorts[i]));
    try {
      // Liveness bound only: three JVMs starting at once on a small, busy CI machine are slow.
      nodes[i] = new NodeProcess(dir.resolve("node" + i), e).start(Duration.ofMinutes(4));
    } catch (IOException ex) {
      throw new java.io.UncheckedIOException(ex);
    }
    apis[i] = new Api(nodes[i]);
  }

  NodeProcess node(int i) {
    return nodes[i];
  }

  Api api(int i) {
    return apis[i];
  }

  /** The node whose JVM is an ancestor of process {@code pid} (a replica), if any. */
  Optional<Integer> hostOf(long pid) {
    Optional<ProcessHandle> p = ProcessHandle.of(pid);
    while (p.isPresent()) {
      for (int i = 0; i < 3; i++) {
        if (nodes[i] != null && nodes[i].alive() && p.get().pid() == nodes[i].pid()) {
          return Optional.of(i);
        }
      }
      p = p.get().parent();
    }
    return Optional.empty();
  }

  /** Waits until every running node sees {@code n} members Up. */
  void awaitMembers(int n) {
    awaitMembers(n, -1);
  }

  /** Waits until every running node but {@code except} (e.g. a stopped one) sees {@code n} Up. */
  void awaitMembers(int n, int except) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              for (int i = 0; i < 3; i++) {
                NodeProcess node = nodes[i];
                if (i != except && node != null && node.alive() && upMembers(node) != n) {
                  return false;
                }
              }
              return true;
            });
  }

  /** Members with status Up as this node's Pekko Management sees them (-1 when unreachable). */
  int upMembers(NodeProcess node) {
    try {
      Matcher m = MANAGEMENT.matcher(node.output());
      if (!m.find()) {
        return -1;
      }
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(java.net.URI.create(base(m) + "/cluster/members"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return -1;
      }
      int up = 0;
      for (JsonNode member : Api.json(r).get("members")) {
        if ("Up".equals(member.get("status").asText())) {
          up++;
        }
      }
      return up;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** The readiness endpoint's status on this node's management port (-1 when unreachable). */
  int readiness(NodeProcess node) throws IOException, InterruptedException {
    Matcher m = MANAGEMENT.matcher(node.output());
    if (!m.find()) {
      return -1;
    }
    return client
        .send(
            HttpRequest.newBuilder(java.net.URI.create(base(m) + "/health/ready")).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static String base(Matcher m) {
    String uri = m.group(1);
    return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    for (NodeProcess node : nodes) {
      if (node != null) {
        node.close();
      }
    }
  }
}
