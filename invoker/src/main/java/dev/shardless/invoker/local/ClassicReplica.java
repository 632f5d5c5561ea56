package dev.shardless.invoker.local;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.port.ReplicaEndpoint;
import dev.shardless.scheduler.port.ReplicaEvents;
import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A classic-watchdog replica: an in-JVM Pekko HTTP server on {@code bind-host:0} that forks {@code
 * envProcess} per request ({@link ClassicFork}); ready once bound. Stopping unbinds at once (no new
 * connections; new requests on open ones get 503), lets in-flight forks finish within the grace,
 * kills those still running after it, closes the connections and reports stopped.
 *
 * <p>The server accepts bodies of any size (they are streamed, never held whole) and disables
 * Pekko's request timeout, since the fork's own timeout ({@link FunctionSpec#timeout()}) applies;
 * its idle timeout is that timeout plus {@value #IDLE_MARGIN_SECONDS} s so that a slow fork's
 * connection is not closed under it.
 */
final class ClassicReplica implements Replica {
  private static final Logger log = LoggerFactory.getLogger(ClassicReplica.class);
  private static final long IDLE_MARGIN_SECONDS = 30;
  private static final Duration CLOSE_CONNECTIONS_DEADLINE = Duration.ofSeconds(1);

  private enum State {
    BINDING,
    READY,
    STOPPING,
    ENDED
  }

  private final PlatformServices services;
  private final FunctionId function;
  private final ReplicaId id;
  private final FunctionSpec spec;
  private final ReplicaEvents events;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private final CompletableFuture<Void> drained = new CompletableFuture<>();

  // Guarded by this.
  private State state = State.BINDING;
  private ServerBinding binding;
  private ReplicaLogWriter replicaLog;
  private final Set<ClassicFork> inFlight = new HashSet<>();
  private boolean stopRequested;
  private boolean report = true;
  private Duration grace = Duration.ZERO;
  private ScheduledFuture<?> graceTimer;
  private ReplicaJail jail;
  private Confinement confinement = Confinement.NONE;

  ClassicReplica(
      PlatformServices services,
      FunctionId function,
      ReplicaId id,
      FunctionSpec spec,
      ReplicaEvents events) {
    this.services = services;
    this.function = function;
    this.id = id;
    this.spec = spec;
    this.events = events;
  }

  @Override
  public void start() {
    services.blocking().execute(this::bind);
  }

  @Override
  public CompletionStage<Void> terminated() {
    return terminated;
  }

  @Override
  public void stop(Duration stopGrace, boolean reportStopped) {
    synchronized (this) {
      if (state == State.ENDED) {
        return;
      }
      report &= reportStopped;
      if (stopRequested) {
        return;
      }
      stopRequested = true;
      grace = stopGrace;
      if (state == State.BINDING) {
        return; // bind() or onBound() sees stopRequested
      }
    }
    drain();
  }

  private void bind() {
    ReplicaJail opened;
    try {
      opened = ReplicaJail.open(services, function, id, spec);
    } catch (IOException e) {
      synchronized (this) {
        end(e.getMessage());
      }
      return;
    }
    try {
      ReplicaLogWriter writer = new ReplicaLogWriter(services.logs.open(function, id));
      synchronized (this) {
        replicaLog = writer;
        jail = opened;
        confinement = opened.plan(ProcessGroups.split(spec.envProcess()), Map.of()).confinement();
        if (stopRequested) {
          end(null);
          return;
        }
      }
    } catch (IOException e) {
      opened.close();
      synchronized (this) {
        end("cannot open the replica log: " + e.getMessage());
      }
      return;
    }
    Http.get(services.system)
        .newServerAt(services.settings.bindHost(), 0)
        .withSettings(serverSettings())
        .bind(this::handle)
        .whenComplete(this::onBound);
  }

  private ServerSettings serverSettings() {
    long idle = spec.timeout().toSeconds() + IDLE_MARGIN_SECONDS;
    Config overrides =
        ConfigFactory.parseString(
            String.join(
                "\n",
                "pekko.http.server.request-timeout = infinite",
                "pekko.http.server.idle-timeout = " + idle + "s",
                "pekko.http.server.parsing.max-content-length = infinite"));
    return ServerSettings.create(overrides.withFallback(services.system.settings().config()));
  }

  @Override
  public synchronized Confinement confinement() {
    return confinement;
  }

  private void onBound(ServerBinding bound, Throwable error) {
    synchronized (this) {
      if (error != null) {
        end("cannot bind " + services.settings.bindHost() + ": " + error.getMessage());
        return;
      }
      binding = bound;
      if (!stopRequested) {
        state = State.READY;
        events.ready(
            id, new ReplicaEndpoint(services.settings.bindHost(), bound.localAddress().getPort()));
        return;
      }
    }
    drain();
  }

  private CompletionStage<HttpResponse> handle(HttpRequest request) {
    ClassicFork fork;
    synchronized (this) {
      if (state != State.READY) {
        request.discardEntityBytes(services.materializer);
        return CompletableFuture.completedFuture(
            HttpResponse.create()
                .withStatus(503)
                .withEntity(ContentTypes.TEXT_PLAIN_UTF8, "replica is stopping\n"));
      }
      fork =
          new ClassicFork(
              services, spec, jail, replicaLog, function.entityId() + "/" + id, request);
      inFlight.add(fork);
    }
    return fork.run().whenComplete((response, error) -> forkDone(fork));
  }

  private void forkDone(ClassicFork fork) {
    synchronized (this) {
      inFlight.remove(fork);
      if (state == State.STOPPING && inFlight.isEmpty()) {
        drained.complete(null);
      }
    }
  }

  /** Unbinds, waits for in-flight forks (killing them after the grace), then closes and ends. */
  private void drain() {
    ServerBinding b;
    synchronized (this) {
      state = State.STOPPING;
      b = binding;
      if (inFlight.isEmpty()) {
        drained.complete(null);
      } else {
        graceTimer = services.schedule(this::killForks, grace);
      }
    }
    // Pekko's graceful termination, started now: it lets the requests in flight finish and their
    // responses (a killed fork's 503 included) reach the client before it closes a connection.
    // Terminating only after the forks were done raced with the writing of those responses.
    CompletionStage<?> closed = b.terminate(grace.plus(CLOSE_CONNECTIONS_DEADLINE));
    drained
        .thenCombine(closed, (v, t) -> v)
        .whenCompleteAsync((v, e) -> finishStop(), services.blocking());
  }

  private void killForks() {
    List<ClassicFork> forks;
    synchronized (this) {
      forks = List.copyOf(inFlight);
    }
    log.info(
        "Replica {} of {}: killing {} fork(s) still running after the grace",
        id,
        function,
        forks.size());
    forks.forEach(ClassicFork::kill);
  }

  private void finishStop() {
    synchronized (this) {
      if (graceTimer != null) {
        graceTimer.cancel(false);
      }
      end(null);
    }
  }

  /** Ends the replica (caller holds the lock): stopped when asked to stop, else lost(reason). */
  private void end(String lostReason) {
    state = State.ENDED;
    if (replicaLog != null) {
      replicaLog.close();
    }
    if (jail != null) {
      jail.close();
    }
    if (report) {
      if (stopRequested) {
        events.stopped(id);
      } else {
        events.lost(id, lostReason);
      }
    }
    if (lostReason != null) {
      log.info("Replica {} of {} lost: {}", id, function, lostReason);
    }
    terminated.complete(null);
  }
}
