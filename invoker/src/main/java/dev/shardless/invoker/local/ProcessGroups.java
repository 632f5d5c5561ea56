package dev.shardless.invoker.local;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts function commands each in a process group of its own, tied to this JVM's life, and signals
 * whole groups. Blocking: call it from the invoker's own threads only.
 *
 * <p>A command {@code python3 app.py} runs as {@code setsid sh -c WRAPPER shardless-replica
 * <jvm-pid> python3 app.py}. {@code setsid} (util-linux, without {@code -f}) makes the process the
 * leader of a new session and process group without forking, since a freshly spawned child is never
 * a group leader; so pid = pgid. The wrapper starts a background watcher with its standard streams
 * on {@code /dev/null} (it never holds the function's pipes open) and then {@code exec}s the
 * command, so pid, stdin and exit code stay the function's. The watcher polls every second; when
 * this JVM is gone (even after {@code kill -9}) it kills the group, and when the function is gone
 * it exits. It ignores SIGTERM so a polite stop cannot remove it while the function lingers. The
 * command gets {@code SHARDLESS_REPLICA_PID}, the group's pid on the host (inside a sandbox the
 * function's own pid is that of its pid namespace).
 */
final class ProcessGroups {
  private static final Logger log = LoggerFactory.getLogger(ProcessGroups.class);

  /**
   * {@code $1} is the JVM's pid, the rest the command. {@code alive} treats a zombie as gone: an
   * init that does not reap would otherwise keep a dead JVM "alive" forever.
   */
  static final String WRAPPER =
      String.join(
          "\n",
          "alive() {",
          "  kill -0 \"$1\" 2>/dev/null || return 1",
          "  [ -r \"/proc/$1/stat\" ] || return 0",
          "  read -r s < \"/proc/$1/stat\" || return 1",
          "  s=${s##*\") \"}",
          "  [ \"${s%% *}\" != Z ]",
          "}",
          "jvm=$1; shift",
          "( trap '' TERM INT HUP",
          "  while alive \"$jvm\" && alive $$; do sleep 1; done",
          "  alive \"$jvm\" || kill -9 -$$",
          ") </dev/null >/dev/null 2>&1 &",
          "SHARDLESS_REPLICA_PID=$$; export SHARDLESS_REPLICA_PID",
          "exec \"$@\"");

  private static final long JVM_PID = ProcessHandle.current().pid();
  private static final File DEV_NULL = new File("/dev/null");
  private static final Path PROC = Path.of("/proc");
  private static final long GROUP_POLL_NANOS = 2_000_000;

  private ProcessGroups() {}

  /**
   * The environment a function process inherits from this JVM: all of it except {@code
   * SHARDLESS_*}, which configures the node (the admin password among it).
   */
  static Map<String, String> inheritedEnv() {
    Map<String, String> env = new java.util.HashMap<>(System.getenv());
    env.keySet().removeIf(k -> k.startsWith("SHARDLESS_"));
    return env;
  }

  /** The words of {@code envProcess}, split on whitespace (no shell); empty when blank. */
  static List<String> split(String envProcess) {
    String trimmed = envProcess == null ? "" : envProcess.trim();
    return trimmed.isEmpty() ? List.of() : List.of(trimmed.split("\\s+"));
  }

  /**
   * Why {@code executable} cannot run, or empty when it looks runnable: a name without a slash is
   * searched on {@code PATH} from {@code env}, a path is resolved against {@code workDir}.
   */
  static Optional<String> problem(String executable, Map<String, String> env, Path workDir) {
    if (executable.contains("/")) {
      Path p = workDir.resolve(executable);
      if (!Files.exists(p)) {
        return Optional.of("command not found: " + executable);
      }
      return Files.isDirectory(p) || !Files.isExecutable(p)
          ? Optional.of("command not executable: " + executable)
          : Optional.empty();
    }
    String path = env.getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = workDir.resolve(dir).resolve(executable);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.empty();
      }
    }
    return Optional.of("command not found: " + executable + " (searched PATH=" + path + ")");
  }

  /**
   * Starts {@code command} as the leader of its own process group, with exactly {@code env}, in
   * {@code workDir}; stderr goes where stdout goes.
   */
  static Process start(
      List<String> command, Map<String, String> env, Path workDir, Redirect stdin, Redirect stdout)
      throws IOException {
    List<String> argv =
        new ArrayList<>(List.of("setsid", "sh", "-c", WRAPPER, "shardless-replica"));
    argv.add(Long.toString(JVM_PID));
    argv.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(argv).directory(workDir.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.redirectInput(stdin).redirectOutput(stdout).redirectErrorStream(true);
    return pb.start();
  }

  /** Redirect for a process that reads nothing. */
  static Redirect noInput() {
    return Redirect.from(DEV_NULL);
  }

  /**
   * Sends {@code signal} ({@code TERM} or {@code KILL}) to the group led by {@code leader}, and to
   * the leader itself in case it has not reached {@code setsid} yet. Waits for {@code kill} (a few
   * milliseconds); never throws.
   */
  static void signal(ProcessHandle leader, String signal) {
    signalGroup(leader.pid(), signal);
    if ("KILL".equals(signal)) {
      leader.destroyForcibly();
    } else {
      leader.destroy();
    }
  }

  /** Sends {@code signal} to process group {@code pgid}; a group that is gone is fine. */
  static void signalGroup(long pgid, String signal) {
    try {
      Process kill =
          new ProcessBuilder(Arrays.asList("kill", "-" + signal, "--", "-" + pgid))
              .redirectInput(noInput())
              .redirectOutput(Redirect.DISCARD)
              .redirectErrorStream(true)
              .start();
      if (!kill.waitFor(5, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
      }
    } catch (IOException e) {
      log.warn("Could not signal process group {} with SIG{}: {}", pgid, signal, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * SIGKILLs the group led by {@code leader} and waits (at most {@code max}) until none of its
   * members runs, so that "stopped" means nothing of it is left. Killed processes die within
   * microseconds; the wait only covers the kernel getting round to it.
   */
  static void killGroupAndWait(ProcessHandle leader, Duration max) {
    signal(leader, "KILL");
    long deadline = System.nanoTime() + max.toNanos();
    while (groupRuns(leader.pid()) && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(GROUP_POLL_NANOS);
    }
  }

  /** True while any process of group {@code pgid} runs (zombies excluded). Scans {@code /proc}. */
  static boolean groupRuns(long pgid) {
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, "[0-9]*")) {
      for (Path proc : procs) {
        String[] f = statFields(proc.resolve("stat"));
        if (f.length > 2 && f[2].equals(Long.toString(pgid)) && isLive(f[0])) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  /** True while {@code pid} runs; a zombie (exited, not yet reaped) counts as gone. */
  static boolean running(long pid) {
    String[] f = statFields(PROC.resolve(Long.toString(pid)).resolve("stat"));
    return f.length > 0 && isLive(f[0]);
  }

  /** The process group of {@code pid}, or -1 when it is gone. */
  static long groupOf(long pid) {
    String[] f = statFields(PROC.resolve(Long.toString(pid)).resolve("stat"));
    return f.length > 2 ? Long.parseLong(f[2]) : -1;
  }

  /** The fields of a {@code /proc/<pid>/stat} after the command name: state, ppid, pgrp, ... */
  private static String[] statFields(Path stat) {
    try {
      String s = Files.readString(stat);
      return s.substring(s.lastIndexOf(')') + 1).trim().split(" ");
    } catch (IOException | RuntimeException e) {
      return new String[0];
    }
  }

  private static boolean isLive(String state) {
    return !state.equals("Z") && !state.equals("X") && !state.equals("x");
  }
}
