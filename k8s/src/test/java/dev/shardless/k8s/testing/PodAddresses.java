package dev.shardless.k8s.testing;

import dev.shardless.k8s.Conventions;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.TreeSet;

/**
 * The stand-in pod network's addresses: each pod gets a loopback address of its own, {@code
 * 127.0.0.2}, {@code 127.0.0.3}, ... (Linux routes all of {@code 127.0.0.0/8} to the loopback
 * interface), the lowest freed one first. An address is reserved by binding the function port
 * ({@link Conventions#FUNCTION_PORT}) on it, so a pod's address is only handed out when its port
 * 8080 is free there; addresses another JVM (a parallel test run) holds are skipped.
 *
 * <p>Example: three pods get {@code .2 .3 .4}; the one on {@code .3} is deleted; the next pod gets
 * {@code .3} again.
 */
final class PodAddresses {
  private static final int FIRST = 2;
  private static final int MAX_TRIES = 1024;

  private final TreeSet<Integer> freed = new TreeSet<>();
  private int next = FIRST;

  /** Binds the function port on the next free pod address; the socket is the pod's listener. */
  synchronized ServerSocket reserve() throws IOException {
    for (int tries = 0; tries < MAX_TRIES; tries++) {
      int n = freed.isEmpty() ? next++ : freed.pollFirst();
      int last = n & 0xff;
      if (last == 0 || last == 255 || n > 0xffffff) {
        continue;
      }
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      try {
        socket.bind(new InetSocketAddress(address(n), Conventions.FUNCTION_PORT), 128);
        return socket;
      } catch (BindException e) {
        socket.close(); // held by someone else: skip it for good
      }
    }
    throw new IOException(
        "no loopback address with port " + Conventions.FUNCTION_PORT + " free for a pod");
  }

  /** Returns the address of a pod that is gone; its socket must be closed already. */
  synchronized void release(InetAddress address) {
    byte[] b = address.getAddress();
    freed.add(((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff));
  }

  private static InetAddress address(int n) throws UnknownHostException {
    return InetAddress.getByAddress(
        new byte[] {127, (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
  }
}
