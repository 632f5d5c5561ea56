package dev.shardless.persistence.testing;

import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Cassandra 5 for tests, started with the repository's own {@code ./shardless
 * cassandra} (docs/operations.md) on a free CQL port, data in a fresh folder under {@code target/}
 * (deleted on close), output in {@code target/cassandra-<port>.log}.
 *
 * <p>Most tests share one server per JVM: {@link #shared()} starts it on first use (7-10 s and
 * about 1 GB of RSS on 2 cores, so once rather than per class) and a shutdown hook stops it; give
 * each test its own keyspace prefix instead of its own server. With {@code
 * SHARDLESS_TEST_CASSANDRA=host:port} in the environment, {@link #shared()} uses that server and
 * starts none. {@link #start()} gives a private server to close with {@link #close()}.
 *
 * <p>Ready means a driver session read {@code release_version} from {@code system.local}, not just
 * an open port. The first run on a machine may resolve Cassandra from Maven Central through the
 * launcher, hence the generous {@link #START_BOUND}. No Cassandra outlives the test JVM: close, the
 * shutdown hook, or (after a {@code kill -9} of the JVM) a watchdog process stops it.
 */
public final class CassandraServer implements AutoCloseable {
  /** {@code host:port} of an already running Cassandra for {@link #shared()}. */
  public static final String EXTERNAL_ENV = "SHARDLESS_TEST_CASSANDRA";

  /** The datacenter of {@code ./shardless cassandra} (SimpleSnitch's). */
  public static final String DATACENTER = "datacenter1";

  /** Bound on a start; the first may build persistence/cassandra-server (downloads ~70 MB). */
  static final Duration START_BOUND = Duration.ofMinutes(10);

  private static final Logger log = LoggerFactory.getLogger(CassandraServer.class);
  private static final int ATTEMPTS = 3;
  private static CassandraServer shared;

  private final String host;
  private final int port;
  private final Optional<ServerProcess> process;
  private final boolean isShared;

  private CassandraServer(
      String host, int port, Optional<ServerProcess> process, boolean isShared) {
    this.host = host;
    this.port = port;
    this.process = process;
    this.isShared = isShared;
  }

  /**
   * The server shared by every test of this JVM: {@code SHARDLESS_TEST_CASSANDRA} when set, else
   * one started now (first call) and stopped when the JVM exits. Its {@link #close()} does nothing.
   */
  public static synchronized CassandraServer shared() {
    if (shared == null) {
      String external = System.getenv(EXTERNAL_ENV);
      shared =
          external == null || external.isBlank()
              ? launch(true, OptionalInt.empty())
              : external(external.trim(), EXTERNAL_ENV);
    }
    return shared;
  }

  /** A private server on a free port for this caller; {@link #close()} stops it. */
  public static CassandraServer start() {
    return launch(false, OptionalInt.empty());
  }

  /**
   * A private server on CQL port {@code port}, for a test that points a client at it before it
   * runs; {@code port} and {@code port + 1} must be free ({@link #freePortPair()}).
   */
  public static CassandraServer start(int port) {
    return launch(false, OptionalInt.of(port));
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** {@code host:port}, the form of {@code shardless.persistence.cassandra.contact-points}. */
  public String contactPoint() {
    return host + ":" + port;
  }

  /** The server's output, when this harness started it. */
  public Optional<Path> log() {
    return process.map(ServerProcess::log);
  }

  /**
   * A keyspace prefix no other test uses ({@code t} and 12 hex digits), so tests share a server
   * without sharing data: each gets fresh {@code <prefix>_journal} and {@code <prefix>_snapshot}
   * keyspaces, created by the node under test.
   */
  public static String uniqueKeyspacePrefix() {
    return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  /**
   * {@code shardless.persistence} for the Cassandra backend on this server with {@code
   * keyspacePrefix}; layer it over a node's configuration.
   */
  public Config persistenceConfig(String keyspacePrefix) {
    return persistenceConfig(contactPoint(), keyspacePrefix);
  }

  /** {@code shardless.persistence} for the Cassandra backend at {@code contactPoint}. */
  public static Config persistenceConfig(String contactPoint, String keyspacePrefix) {
    return ConfigFactory.parseMap(
        Map.of(
            "shardless.persistence.backend", "cassandra",
            "shardless.persistence.cassandra.contact-points", contactPoint,
            "shardless.persistence.cassandra.datacenter", DATACENTER,
            "shardless.persistence.cassandra.keyspace-prefix", keyspacePrefix),
        "test Cassandra " + contactPoint);
  }

  /** The pid of the launcher (then the Cassandra JVM it became), when this harness started it. */
  Optional<Long> pid() {
    return process.map(ServerProcess::pid);
  }

  /**
   * A new driver session to this server (datacenter {@value #DATACENTER}) for plain CQL; close it.
   * It loads no schema or token metadata, and closes without Netty's 2 s quiet period.
   */
  public CqlSession connect() {
    return CqlSession.builder()
        .addContactPoint(new InetSocketAddress(host, port))
        .withLocalDatacenter(DATACENTER)
        .withConfigLoader(
            DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                .withBoolean(DefaultDriverOption.METADATA_SCHEMA_ENABLED, false)
                .withBoolean(DefaultDriverOption.METADATA_TOKEN_MAP_ENABLED, false)
                .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
                .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
                .build())
        .build();
  }

  /**
   * Stops a server {@link #start()}ed by this caller; nothing for the shared or an external one.
   */
  @Override
  public void close() {
    if (!isShared) {
      process.ifPresent(ServerProcess::stop);
    }
  }

  private static CassandraServer external(String hostPort, String source) {
    int colon = hostPort.lastIndexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException(source + " must be host:port, was \"" + hostPort + "\"");
    }
    CassandraServer server =
        new CassandraServer(
            hostPort.substring(0, colon),
            Integer.parseInt(hostPort.substring(colon + 1)),
            Optional.empty(),
            true);
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(200))
        .alias("Cassandra from " + source + " at " + hostPort + " answers CQL")
        .until(server::answersCql);
    return server;
  }

  private static CassandraServer launch(boolean isShared, OptionalInt fixedPort) {
    Path root = repositoryRoot(Path.of("").toAbsolutePath());
    Path target = Path.of("target").toAbsolutePath();
    IllegalStateException failure = null;
    int attempts = fixedPort.isPresent() ? 1 : ATTEMPTS;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      int port = fixedPort.orElseGet(CassandraServer::freePortPair);
      long started = System.nanoTime();
      ServerProcess p;
      try {
        Files.createDirectories(target);
        Path dataDir = Files.createTempDirectory(target, "cassandra-" + port + "-");
        p = ServerProcess.launch(root, port, dataDir, target.resolve("cassandra-" + port + ".log"));
      } catch (IOException e) {
        throw new IllegalStateException("cannot start " + root.resolve("shardless"), e);
      }
      CassandraServer server = new CassandraServer("127.0.0.1", port, Optional.of(p), isShared);
      try {
        server.awaitReady(p);
        log.info(
            "Cassandra ready on {} in {} ms (pid {}, log {})",
            server.contactPoint(),
            (System.nanoTime() - started) / 1_000_000,
            p.pid(),
            p.log());
        return server;
      } catch (IllegalStateException e) {
        p.stop();
        failure = e;
        // Another process took one of the two ports between the check and the launcher's.
        if (!e.getMessage().contains("is in use")) {
          throw e;
        }
      }
    }
    throw failure;
  }

  private void awaitReady(ServerProcess p) {
    try {
      await()
          .atMost(START_BOUND)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                if (!p.isAlive()) {
                  throw new IllegalStateException(
                      "./shardless cassandra exited with "
                          + p.exitValue()
                          + " before CQL answered on "
                          + contactPoint()
                          + "; last lines of "
                          + p.log()
                          + ":\n"
                          + p.tail(40));
                }
                return portOpen() && answersCql();
              });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          "Cassandra did not answer CQL on "
              + contactPoint()
              + " within "
              + START_BOUND
              + "; last lines of "
              + p.log()
              + ":\n"
              + p.tail(40),
          e);
    }
  }

  private boolean portOpen() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private boolean answersCql() {
    try (CqlSession session = connect()) {
      Row row = session.execute("SELECT release_version FROM system.local").one();
      return row != null && row.getString("release_version") != null;
    } catch (DriverException e) {
      return false;
    }
  }

  /** The nearest folder at or above {@code dir} that holds the {@code shardless} launcher. */
  static Path repositoryRoot(Path dir) {
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("shardless"))
          && Files.isRegularFile(d.resolve("pom.xml"))) {
        return d;
      }
    }
    throw new IllegalStateException(
        "no folder with the shardless launcher and pom.xml at or above " + dir);
  }

  /** A port p such that p (CQL) and p + 1 (storage) are both free on 127.0.0.1 right now. */
  public static int freePortPair() {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    for (int i = 0; i < 100; i++) {
      try (ServerSocket first = new ServerSocket(0, 1, loopback)) {
        int p = first.getLocalPort();
        if (p < 65535 && canBind(p + 1, loopback)) {
          return p;
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot open a server socket on " + loopback, e);
      }
    }
    throw new IllegalStateException("no two adjacent free ports on " + loopback);
  }

  private static boolean canBind(int port, InetAddress address) {
    try {
      new ServerSocket(port, 1, address).close();
      return true;
    } catch (IOException taken) {
      return false;
    }
  }
}
