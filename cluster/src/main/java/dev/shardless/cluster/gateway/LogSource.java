package dev.shardless.cluster.gateway;

import dev.shardless.invoker.InvokerSettings;
import dev.shardless.invoker.logs.LogFiles;
import dev.shardless.invoker.logs.LogLine;
import dev.shardless.invoker.logs.LogReader;
import dev.shardless.invoker.logs.LogSettings;
import dev.shardless.scheduler.model.FunctionId;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Where {@code GET /system/logs} reads a function's replica logs from: this node's log files (the
 * local platform) or the function pods' container logs (Kubernetes). Each request opens its own
 * {@link Cursor}; {@link LogsApi} selects {@code since} and {@code tail} on the first poll's lines
 * and follows with later polls.
 */
public interface LogSource {

  /**
   * A cursor over {@code function}'s logs for one request. {@code since} and {@code tail} are hints
   * the source may use to read less on the first poll; the caller applies them exactly.
   *
   * @param instance one replica, or null for all
   * @param since null when absent
   */
  Cursor open(FunctionId function, String instance, Instant since, int tail);

  /** How often a follower polls its cursor. */
  Duration followPollInterval();

  /** The lines of one request; blocking, called off the dispatcher threads, one at a time. */
  @FunctionalInterface
  interface Cursor {
    /** The lines written since the last call (the first: the history), ordered by time. */
    List<LogLine> poll() throws IOException;
  }

  /**
   * The local platform's: {@code <data-dir>/logs} of this node ({@link LogReader}), stopped
   * replicas included, polled every {@code shardless.invoker.logs.follow-poll-interval}.
   */
  static LogSource files(ActorSystem<?> system) {
    Path root = InvokerSettings.fromConfig(system.settings().config()).dataDir().resolve("logs");
    Duration interval = LogSettings.fromConfig(system.settings().config()).followPollInterval();
    return new LogSource() {
      @Override
      public Cursor open(FunctionId function, String instance, Instant since, int tail) {
        return new LogReader(LogFiles.functionDir(root, function), instance)::poll;
      }

      @Override
      public Duration followPollInterval() {
        return interval;
      }
    };
  }
}
