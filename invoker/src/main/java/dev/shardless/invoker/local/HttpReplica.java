package dev.shardless.invoker.local;

import dev.shardless.invoker.logs.RotatingLogFile;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.GoDuration;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.port.ReplicaEndpoint;
import dev.shardless.scheduler.port.ReplicaEvents;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An of-watchdog {@code mode=http} replica: {@code envProcess} started once, told its port in
 * {@code PORT}, ready when a TCP connect to it succeeds. Output goes to the replica log through a
 * pipe and a {@link LogPump}. Lifecycle: LAUNCHING (spawn queued) → STARTING (probing) → READY →
 * ENDED; every transition and every event happens under the instance lock, so events keep their
 * order.
 */
final class HttpReplica implements Replica {
  private static final Logger log = LoggerFactory.getLogger(HttpReplica.class);
  private static final int TAIL_LINES = 3;
  private static final Duration GROUP_EXIT_WAIT = Duration.ofSeconds(1);
  private static final int PROBE_CONNECT_MILLIS = 250;

  private enum State {
    LAUNCHING,
    STARTING,
    READY,
    ENDED
  }

  private final PlatformServices services;
  private final FunctionId function;
  private final ReplicaId id;
  private final FunctionSpec spec;
  private final ReplicaEvents events;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  // Guarded by this.
  private State state = State.LAUNCHING;
  private Process process;
  private Path logFile;
  private LogPump logPump;
  private int port;
  private long readyDeadlineNanos;
  private boolean stopRequested;
  private boolean report = true;
  private String failure;
  private ScheduledFuture<?> killTimer;
  private ReplicaJail jail;
  private Confinement confinement = Confinement.NONE;

  HttpReplica(
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
    services.blocking().execute(this::launch);
  }

  @Override
  public CompletionStage<Void> terminated() {
    return terminated;
  }

  @Override
  public void stop(Duration grace, boolean reportStopped) {
    Process p;
    synchronized (this) {
      if (state == State.ENDED) {
        return;
      }
      stopRequested = true;
      report &= reportStopped;
      if (state == State.LAUNCHING) {
        return; // launch() sees stopRequested and ends without starting anything
      }
      p = process;
    }
    signalThenKill(p, grace);
  }

  private void launch() {
    Process p;
    try {
      p = spawn();
    } catch (LaunchException e) {
      endWithoutProcess(e.getMessage());
      return;
    }
    synchronized (this) {
      process = p;
      state = State.STARTING;
      readyDeadlineNanos = System.nanoTime() + services.settings.readinessTimeout().toNanos();
    }
    services.registry.add(p.toHandle(), function.entityId() + "/" + id);
    p.onExit().thenRunAsync(() -> onExit(p), services.blocking());
    boolean stopNow;
    synchronized (this) {
      stopNow = stopRequested;
    }
    if (stopNow) {
      signalThenKill(p, Duration.ZERO);
    } else {
      probe();
    }
  }

  private Process spawn() throws LaunchException {
    synchronized (this) {
      if (stopRequested) {
        throw new LaunchException(null);
      }
    }
    List<String> command = ProcessGroups.split(spec.envProcess());
    if (command.isEmpty()) {
      throw new LaunchException("no envProcess to run");
    }
    Map<String, String> env = new HashMap<>(ProcessGroups.inheritedEnv());
    env.putAll(spec.envVars());
    Path workDir = services.settings.workDir();
    Optional<String> problem = ProcessGroups.problem(command.get(0), env, workDir);
    if (problem.isPresent()) {
      throw new LaunchException(problem.get());
    }
    ReplicaJail opened;
    try {
      opened = ReplicaJail.open(services, function, id, spec);
    } catch (IOException e) {
      throw new LaunchException(e.getMessage());
    }
    try {
      Path file = services.logs.path(function, id);
      int freePort = freePort();
      env.put("PORT", Integer.toString(freePort));
      SandboxArgs.Plan plan = opened.plan(command, env);
      RotatingLogFile output = services.logs.open(function, id);
      Process p;
      try {
        p = ProcessGroups.start(plan.argv(), env, workDir, ProcessGroups.noInput(), Redirect.PIPE);
      } catch (IOException e) {
        output.close();
        throw e;
      }
      LogPump pump = LogPump.start(p.getInputStream(), output, function.entityId() + "/" + id);
      synchronized (this) {
        logFile = file;
        logPump = pump;
        port = freePort;
        jail = opened;
        confinement = plan.confinement();
      }
      log.debug("Replica {} of {} confined by {}", id, function, plan.confinement());
      return p;
    } catch (IOException e) {
      opened.close();
      throw new LaunchException("cannot start " + command.get(0) + ": " + e.getMessage());
    }
  }

  /** What confines this replica's process (none until it has started). */
  @Override
  public synchronized Confinement confinement() {
    return confinement;
  }

  private int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(services.settings.bindHost(), 0));
      return s.getLocalPort();
    }
  }

  /** One readiness probe on the blocking pool; re-schedules itself until ready or timed out. */
  private void probe() {
    int target;
    synchronized (this) {
      if (state != State.STARTING || stopRequested) {
        return;
      }
      target = port;
    }
    boolean open = connects(target);
    synchronized (this) {
      if (state != State.STARTING || stopRequested) {
        return;
      }
      if (open) {
        state = State.READY;
        events.ready(id, new ReplicaEndpoint(services.settings.bindHost(), target));
        return;
      }
      if (System.nanoTime() - readyDeadlineNanos < 0) {
        services.scheduleBlocking(this::probe, services.settings.readinessPollInterval());
        return;
      }
      failure = "not ready after " + GoDuration.format(services.settings.readinessTimeout());
    }
    log.info("Replica {} of {} {}; killing it", id, function, failure);
    signalThenKill(process(), Duration.ZERO);
  }

  private boolean connects(int target) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(services.settings.bindHost(), target), PROBE_CONNECT_MILLIS);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private synchronized Process process() {
    return process;
  }

  /** SIGTERM to the group now, SIGKILL after {@code grace} (at once when grace is zero). */
  private void signalThenKill(Process p, Duration grace) {
    ProcessHandle h = p.toHandle();
    if (grace.isZero()) {
      services.control().execute(() -> ProcessGroups.signal(h, "KILL"));
      return;
    }
    services.control().execute(() -> ProcessGroups.signal(h, "TERM"));
    ScheduledFuture<?> timer = services.schedule(() -> ProcessGroups.signal(h, "KILL"), grace);
    synchronized (this) {
      if (killTimer == null) {
        killTimer = timer;
      } else {
        timer.cancel(false); // an earlier stop already armed the kill
      }
    }
  }

  /** The main process ended: clean up what it left in its group, then report once. */
  private void onExit(Process p) {
    ProcessGroups.killGroupAndWait(p.toHandle(), GROUP_EXIT_WAIT); // what it left behind
    services.registry.remove(p.pid());
    int code = p.exitValue();
    Path file;
    LogPump pump;
    synchronized (this) {
      file = logFile;
      pump = logPump;
      if (jail != null) {
        jail.close();
      }
    }
    pump.awaitEnd(GROUP_EXIT_WAIT); // the group is gone: the pipe ends at once
    String tail = ReplicaLogs.tail(file, TAIL_LINES);
    synchronized (this) {
      if (killTimer != null) {
        killTimer.cancel(false);
      }
      State was = state;
      state = State.ENDED;
      if (report) {
        if (stopRequested) {
          events.stopped(id);
        } else if (failure != null) {
          events.lost(id, failure);
        } else if (was == State.STARTING) {
          events.lost(
              id,
              "exited with code "
                  + code
                  + " before it was ready"
                  + (tail.isEmpty() ? "" : ": " + tail));
        } else {
          events.lost(id, "exited with code " + code);
        }
      }
    }
    log.debug("Replica {} of {} exited with code {}", id, function, code);
    terminated.complete(null);
  }

  /** Nothing was started: either stopped before launch or the launch failed. */
  private void endWithoutProcess(String reason) {
    synchronized (this) {
      state = State.ENDED;
      if (report) {
        if (stopRequested) {
          events.stopped(id);
        } else {
          events.lost(id, reason);
        }
      }
    }
    if (reason != null) {
      log.info("Replica {} of {} could not start: {}", id, function, reason);
    }
    terminated.complete(null);
  }

  /** Why a replica could not be started; null message when it was stopped before the start. */
  private static final class LaunchException extends Exception {
    LaunchException(String reason) {
      super(reason, null, false, false);
    }
  }
}
