package dev.shardless.scheduler.replay;

import dev.shardless.scheduler.policy.keepalive.KeepAlivePolicies;
import dev.shardless.scheduler.policy.keepalive.KeepAlivePolicy;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./shardless replay}: replays a per-minute invocation trace under keep-alive policies and
 * prints, per policy, cold starts and idle replica-minutes (docs/scaling.md, "Replay").
 *
 * <p>Exit status 0 on success, 2 on a usage error, 1 when a file cannot be read.
 */
public final class ReplayCommand {
  static final String USAGE =
      """
      usage: shardless replay --trace FILE [--policy NAME[,NAME…]] [--runtimes FILE]
                              [--measure-from MINUTE] [--json]

        --trace FILE          per-minute invocation counts, Azure Functions 2019 format
                              (HashOwner,HashApp,HashFunction,Trigger,1..1440 or
                              HashFunction,HashApp,HashOwner,minute_1..minute_1440; any
                              consecutive window of minute columns)
        --policy NAMES        comma-separated, repeatable; default fixed-10m,hybrid,adaptive
                              fixed-<duration>   keep-alive for a fixed time (fixed-10m)
                              hybrid             Shahrad et al. 2020 hybrid histogram
                              adaptive           Shardless's learned keep-alive and pre-warm
                              adaptive-<duration> same with another idle budget (adaptive-15m)
        --runtimes FILE       run-time statistics (Average ms per function, e.g. 1250_run.csv):
                              replicas per minute = ceil(calls x mean run time / 60 s)
        --measure-from MINUTE count only from this minute of the trace on (1-based, in the
                              trace's own numbering); earlier minutes only teach the policies
        --json                also print the results as one JSON array on the last line
      """;

  private ReplayCommand() {}

  /** Parsed command line. */
  record Options(Path trace, List<String> policies, Path runtimes, int measureFrom, boolean json) {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command, printing to {@code out} and {@code err}; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    List<KeepAlivePolicy> policies = new ArrayList<>();
    try {
      options = parse(args);
      if (options == null) {
        out.print(USAGE);
        return 0;
      }
      for (String name : options.policies()) {
        policies.add(KeepAlivePolicies.byName(name));
      }
    } catch (IllegalArgumentException e) {
      err.println("shardless replay: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    try {
      RuntimeTable runtimes =
          options.runtimes() == null ? null : RuntimeTable.read(options.runtimes());
      List<PolicyReport> reports;
      int firstMinute;
      try (TraceReader reader = TraceReader.open(options.trace())) {
        firstMinute = reader.firstMinute();
        int measureFrom = Math.max(0, options.measureFrom() - firstMinute);
        reports = Replay.run(reader, policies, runtimes, measureFrom);
      }
      out.print(ReportTable.format(reports, runtimes != null, options.measureFrom(), firstMinute));
      if (options.json()) {
        out.println(ReportTable.json(reports));
      }
      return 0;
    } catch (IOException | TraceFormatException | java.io.UncheckedIOException e) {
      err.println("shardless replay: " + e.getMessage());
      return 1;
    }
  }

  /** The options, or null when help was asked for. */
  static Options parse(String[] args) {
    Path trace = null;
    Path runtimes = null;
    List<String> policies = new ArrayList<>();
    int measureFrom = 0;
    boolean json = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "-h", "--help", "help" -> {
          return null;
        }
        case "--json" -> json = true;
        case "--trace" -> trace = existing(a, value(args, ++i, a));
        case "--runtimes" -> runtimes = existing(a, value(args, ++i, a));
        case "--policy", "--policies" -> {
          for (String p : value(args, ++i, a).split(",")) {
            if (!p.isBlank()) {
              policies.add(p.trim());
            }
          }
        }
        case "--measure-from" -> measureFrom = positive(a, value(args, ++i, a));
        default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
      }
    }
    if (trace == null) {
      throw new IllegalArgumentException("--trace FILE is required");
    }
    if (policies.isEmpty()) {
      policies = List.of("fixed-10m", "hybrid", "adaptive");
    }
    return new Options(trace, List.copyOf(policies), runtimes, measureFrom, json);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length || args[i].startsWith("--")) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static Path existing(String option, String file) {
    Path p = Path.of(file);
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException(option + ": cannot read '" + file + "'");
    }
    return p;
  }

  private static int positive(String option, String text) {
    try {
      int v = Integer.parseInt(text.trim());
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        option + " must be a minute number >= 1, was '" + text.toLowerCase(Locale.ROOT) + "'");
  }
}
