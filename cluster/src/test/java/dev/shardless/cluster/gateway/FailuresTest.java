package dev.shardless.cluster.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link Failures#notConnected} on the errors Pekko HTTP's client really raises: a refused
 * connection (the request never left, so a held slot's call may ask again) against a connection
 * that the other side cut after accepting it (the request may have run: never replayed).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailuresTest {
  private final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  void stop() {
    kit.shutdownTestKit();
  }

  private Throwable failureOf(HttpRequest request) throws Exception {
    CompletableFuture<?> f = Http.get(kit.system()).singleRequest(request).toCompletableFuture();
    try {
      f.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the request succeeded");
  }

  @Test
  void aRefusedConnectionIsNotConnected() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    Throwable error =
        failureOf(
            HttpRequest.create("http://127.0.0.1:" + port + "/").withMethod(HttpMethods.POST));
    assertThat(Failures.notConnected(error)).as(error.toString()).isTrue();
    assertThat(Failures.notConnected(new CompletionException(error))).isTrue();
  }

  @Test
  void aConnectionCutAfterItWasAcceptedIsNot() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> cut =
          CompletableFuture.runAsync(
              () -> {
                try (Socket s = server.accept()) {
                  s.getInputStream().read(); // the request arrived
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      Throwable error =
          failureOf(
              HttpRequest.create("http://127.0.0.1:" + server.getLocalPort() + "/")
                  .withMethod(HttpMethods.POST));
      cut.join();
      assertThat(Failures.notConnected(error)).as(error.toString()).isFalse();
    }
    assertThat(Failures.notConnected(new IllegalStateException("boom"))).isFalse();
  }
}
