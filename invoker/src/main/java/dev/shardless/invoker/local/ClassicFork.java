package dev.shardless.invoker.local;

import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.GoDuration;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * One classic-watchdog invocation: fork {@code envProcess} in its own process group, stream the
 * request body to its stdin, and answer with its combined stdout and stderr.
 *
 * <p>Output goes to a file under {@code <data-dir>/tmp} rather than a pipe, so no thread waits on
 * it and a fork that ignores its stdin cannot deadlock against one writing it. The control thread
 * checks the file's size every {@value #OUTPUT_CHECK_MILLIS} ms and kills the fork when it passes
 * {@code classic-max-output}; the file is read (at most that much) once the fork exits, then
 * deleted. Status: exit 0 → 200, other exit → 500 with the output, past the function's timeout →
 * the group is killed and 504, output too large → 500, killed by a replica stop → 503.
 */
final class ClassicFork {
  private static final long OUTPUT_CHECK_MILLIS = 50;
  private static final Duration GROUP_EXIT_WAIT = Duration.ofSeconds(1);

  private final PlatformServices services;
  private final FunctionSpec spec;
  private final ReplicaJail jail;
  private final ReplicaLogWriter replicaLog;
  private final String label;
  private final HttpRequest request;
  private final CompletableFuture<HttpResponse> response = new CompletableFuture<>();

  // Guarded by this.
  private Process process;
  private boolean timedOut;
  private boolean outputExceeded;
  private boolean killed;
  private ScheduledFuture<?> timeoutTimer;
  private ScheduledFuture<?> outputCheck;

  ClassicFork(
      PlatformServices services,
      FunctionSpec spec,
      ReplicaJail jail,
      ReplicaLogWriter replicaLog,
      String label,
      HttpRequest request) {
    this.services = services;
    this.spec = spec;
    this.jail = jail;
    this.replicaLog = replicaLog;
    this.label = label;
    this.request = request;
  }

  /** Forks on the blocking pool; the response completes after the fork has exited. */
  CompletionStage<HttpResponse> run() {
    services.blocking().execute(this::fork);
    return response;
  }

  /** Kills the fork's group now (replica stop after its grace); it answers 503. */
  void kill() {
    Process p;
    synchronized (this) {
      killed = true;
      p = process;
    }
    if (p != null) {
      services.control().execute(() -> ProcessGroups.signal(p.toHandle(), "KILL"));
    }
  }

  private void fork() {
    List<String> command = ProcessGroups.split(spec.envProcess());
    Map<String, String> env = new HashMap<>(ProcessGroups.inheritedEnv());
    env.putAll(spec.envVars());
    env.putAll(ClassicEnvironment.of(request));
    Optional<String> problem =
        command.isEmpty()
            ? Optional.of("no envProcess to run")
            : ProcessGroups.problem(command.get(0), env, services.settings.workDir());
    if (problem.isPresent()) {
      reject(problem.get());
      return;
    }
    Path output;
    Process p;
    replicaLog.line("Forking fprocess.");
    long startNanos = System.nanoTime();
    try {
      output = Files.createTempFile(services.tmpDir(), "fork-", ".out");
    } catch (IOException e) {
      reject("cannot buffer the output: " + e.getMessage());
      return;
    }
    try {
      p =
          ProcessGroups.start(
              jail.plan(command, env).argv(),
              env,
              services.settings.workDir(),
              Redirect.PIPE,
              Redirect.to(output.toFile()));
    } catch (IOException e) {
      deleteQuietly(output);
      reject("cannot start " + command.get(0) + ": " + e.getMessage());
      return;
    }
    services.registry.add(p.toHandle(), label);
    boolean killNow;
    synchronized (this) {
      process = p;
      killNow = killed;
      timeoutTimer = services.schedule(() -> timeOut(p), spec.timeout());
      outputCheck =
          services
              .control()
              .scheduleWithFixedDelay(
                  () -> checkOutput(p, output),
                  OUTPUT_CHECK_MILLIS,
                  OUTPUT_CHECK_MILLIS,
                  TimeUnit.MILLISECONDS);
    }
    if (killNow) {
      kill();
    }
    feedStdin(p.getOutputStream());
    p.onExit().thenRunAsync(() -> finish(p, output, startNanos), services.blocking());
  }

  /** Streams the body to stdin chunk by chunk on the blocking pool, then closes stdin. */
  private void feedStdin(OutputStream stdin) {
    request
        .entity()
        .getDataBytes()
        .runWith(
            Sink.<ByteString>foreachAsync(
                1,
                chunk ->
                    CompletableFuture.runAsync(() -> write(stdin, chunk), services.blocking())),
            services.materializer)
        .whenCompleteAsync((done, error) -> closeQuietly(stdin), services.blocking());
  }

  private static void write(OutputStream stdin, ByteString chunk) {
    try {
      stdin.write(chunk.toArray());
      stdin.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // the fork closed its stdin or exited: stop feeding
    }
  }

  private void timeOut(Process p) {
    synchronized (this) {
      timedOut = true;
    }
    ProcessGroups.signal(p.toHandle(), "KILL");
  }

  private void checkOutput(Process p, Path output) {
    long size;
    try {
      size = Files.size(output);
    } catch (IOException e) {
      return;
    }
    if (size > services.settings.classicMaxOutput()) {
      synchronized (this) {
        if (outputExceeded) {
          return;
        }
        outputExceeded = true;
      }
      ProcessGroups.signal(p.toHandle(), "KILL");
    }
  }

  private void finish(Process p, Path output, long startNanos) {
    boolean wasTimedOut;
    boolean wasExceeded;
    boolean wasKilled;
    synchronized (this) {
      timeoutTimer.cancel(false);
      outputCheck.cancel(false);
      wasTimedOut = timedOut;
      wasExceeded = outputExceeded;
      wasKilled = killed;
    }
    ProcessGroups.killGroupAndWait(p.toHandle(), GROUP_EXIT_WAIT); // what the fork left behind
    services.registry.remove(p.pid());
    int code = p.exitValue();
    byte[] out = readOutput(output, wasExceeded);
    HttpResponse r;
    if (out == null) {
      r = plain(500, "output exceeds " + services.settings.classicMaxOutput() + " bytes");
    } else if (wasTimedOut) {
      r = plain(504, "function timed out after " + GoDuration.format(spec.timeout()));
    } else if (wasKilled) {
      r = plain(503, "function killed: replica stopped");
    } else {
      r =
          HttpResponse.create()
              .withStatus(code == 0 ? StatusCodes.OK : StatusCodes.INTERNAL_SERVER_ERROR)
              .withEntity(contentType(), out);
    }
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    long written = r.entity().getContentLengthOption().orElse(0L);
    replicaLog.output(
        out == null ? new byte[0] : out,
        String.format(Locale.ROOT, "Wrote %d Bytes - Duration: %.6fs", written, seconds));
    response.complete(r);
  }

  /** The output, or null when it is larger than allowed. */
  private byte[] readOutput(Path output, boolean exceeded) {
    try {
      if (exceeded || Files.size(output) > services.settings.classicMaxOutput()) {
        return null;
      }
      return Files.readAllBytes(output);
    } catch (IOException e) {
      return ("cannot read the output: " + e.getMessage()).getBytes(StandardCharsets.UTF_8);
    } finally {
      deleteQuietly(output);
    }
  }

  /**
   * The response's Content-Type: {@code content_type} from envVars, else the request's, else
   * text/plain.
   */
  private ContentType contentType() {
    String configured = spec.envVars().get("content_type");
    if (configured != null && !configured.isBlank()) {
      try {
        return ContentTypes.parse(configured.trim());
      } catch (RuntimeException e) {
        // fall through to the request's type
      }
    }
    ContentType requested = request.entity().getContentType();
    return requested.equals(ContentTypes.NO_CONTENT_TYPE)
        ? ContentTypes.TEXT_PLAIN_UTF8
        : requested;
  }

  private void reject(String reason) {
    request.discardEntityBytes(services.materializer);
    replicaLog.line("Cannot fork fprocess: " + reason);
    response.complete(plain(500, reason));
  }

  private static HttpResponse plain(int status, String text) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(ContentTypes.TEXT_PLAIN_UTF8, text + "\n");
  }

  private static void closeQuietly(OutputStream stdin) {
    try {
      stdin.close();
    } catch (IOException e) {
      // the fork is gone already
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a leftover buffer file is harmless
    }
  }
}
