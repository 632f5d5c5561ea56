package dev.shardless.k8s.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stand-in pod network for one pod: accepts TCP connections on the pod's address and port 8080
 * and pipes each, both ways, to wherever the pod's process really listens. While the pod has no
 * running process ({@link #target} null) connections are accepted and closed at once, as a port
 * nobody listens on would refuse them.
 *
 * <p>Blocking sockets, two pooled threads per open connection: test traffic only.
 */
final class PodForwarder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PodForwarder.class);
  private static final int CONNECT_TIMEOUT_MS = 5_000;

  private final ServerSocket server;
  private final Executor threads;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile InetSocketAddress target;

  PodForwarder(ServerSocket server, Executor threads) {
    this.server = server;
    this.threads = threads;
    threads.execute(this::acceptLoop);
  }

  /** Where new connections go from now on; null refuses them. */
  void target(InetSocketAddress where) {
    this.target = where;
  }

  /** The pod's address and port. */
  InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  /** Stops listening and cuts every open connection. */
  @Override
  public void close() {
    closeQuietly(server);
    open.forEach(PodForwarder::closeQuietly);
    open.clear();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        InetSocketAddress to = target;
        if (to == null) {
          closeQuietly(client);
        } else {
          threads.execute(() -> connect(client, to));
        }
      } catch (IOException e) {
        if (!server.isClosed()) {
          log.warn("Pod address {} stopped accepting: {}", address(), e.toString());
        }
        return;
      }
    }
  }

  private void connect(Socket client, InetSocketAddress to) {
    Socket upstream = new Socket();
    open.add(client);
    open.add(upstream);
    try {
      upstream.connect(to, CONNECT_TIMEOUT_MS);
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
    } catch (IOException e) {
      log.debug("Pod {}: cannot reach its process at {}: {}", address(), to, e.toString());
      finish(client, upstream);
      return;
    }
    AtomicInteger directions = new AtomicInteger(2);
    threads.execute(() -> pump(upstream, client, directions));
    pump(client, upstream, directions);
  }

  /** Copies {@code from} to {@code to} until end of stream, then half-closes {@code to}. */
  private void pump(Socket from, Socket to, AtomicInteger directions) {
    try {
      from.getInputStream().transferTo(to.getOutputStream());
      to.shutdownOutput();
    } catch (IOException e) {
      finish(from, to); // reset or closed: cut both ways
      return;
    }
    if (directions.decrementAndGet() == 0) {
      finish(from, to);
    }
  }

  private void finish(Socket a, Socket b) {
    closeQuietly(a);
    closeQuietly(b);
    open.remove(a);
    open.remove(b);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // closing is best effort
    }
  }
}
