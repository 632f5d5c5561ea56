package dev.shardless.invoker.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process groups this JVM runs, on disk, so that a later JVM can kill what a crashed one left.
 *
 * <p>Layout: {@code <run-dir>/<owner>/<pgid>}, where {@code owner} is {@code <jvm-pid>-<jvm start
 * ms>} and each entry holds the group leader's start time in epoch milliseconds, then a label.
 * {@link #reapStale()} kills the groups of owners that no longer run (a pid alone may have been
 * reused, so the start time must match too), then deletes their entries. Owners that still run
 * (another node on this host sharing the data directory, or another platform in this JVM) are left
 * alone. A group whose leader has exited is not killed: without the leader its identity cannot be
 * verified.
 */
final class PidRegistry {
  private static final Logger log = LoggerFactory.getLogger(PidRegistry.class);

  private final Path runDir;
  private final Path ownDir;

  PidRegistry(Path runDir) {
    this.runDir = runDir;
    ProcessHandle self = ProcessHandle.current();
    this.ownDir = runDir.resolve(self.pid() + "-" + startMillis(self).orElse(0L));
  }

  /** Kills the groups left by owners that are gone and deletes their entries. */
  void reapStale() {
    try {
      Files.createDirectories(runDir);
      try (DirectoryStream<Path> owners = Files.newDirectoryStream(runDir)) {
        for (Path owner : owners) {
          if (!owner.equals(ownDir) && !ownerRuns(owner.getFileName().toString())) {
            reapOwner(owner);
          }
        }
      }
      Files.createDirectories(ownDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the pid registry at " + runDir, e);
    }
  }

  /** Records the group led by {@code leader}. */
  void add(ProcessHandle leader, String label) {
    String line = startMillis(leader).map(String::valueOf).orElse("unknown") + " " + label + "\n";
    try {
      Files.createDirectories(ownDir);
      Files.writeString(ownDir.resolve(Long.toString(leader.pid())), line);
    } catch (IOException e) {
      log.warn("Could not record process group {} in {}: {}", leader.pid(), ownDir, e.toString());
    }
  }

  /** Forgets the group led by {@code pid}. */
  void remove(long pid) {
    try {
      Files.deleteIfExists(ownDir.resolve(Long.toString(pid)));
    } catch (IOException e) {
      log.warn("Could not remove process group {} from {}: {}", pid, ownDir, e.toString());
    }
  }

  private void reapOwner(Path owner) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(owner)) {
      for (Path entry : entries) {
        reapEntry(entry);
        Files.deleteIfExists(entry);
      }
    }
    Files.deleteIfExists(owner);
  }

  private static void reapEntry(Path entry) {
    try {
      long pgid = Long.parseLong(entry.getFileName().toString());
      String recorded = Files.readString(entry, StandardCharsets.UTF_8).trim().split(" ", 2)[0];
      Optional<ProcessHandle> leader = ProcessHandle.of(pgid);
      if (leader.isPresent()
          && ProcessGroups.running(pgid)
          && startMillis(leader.get()).map(String::valueOf).orElse("?").equals(recorded)) {
        log.info("Killing stale process group {} left by a previous run ({})", pgid, entry);
        ProcessGroups.signalGroup(pgid, "KILL");
      }
    } catch (IOException | RuntimeException e) {
      log.warn("Skipping unreadable pid registry entry {}: {}", entry, e.toString());
    }
  }

  private static boolean ownerRuns(String owner) {
    int dash = owner.indexOf('-');
    if (dash <= 0) {
      return false;
    }
    try {
      long pid = Long.parseLong(owner.substring(0, dash));
      String start = owner.substring(dash + 1);
      return ProcessHandle.of(pid)
          .filter(h -> ProcessGroups.running(h.pid()))
          .flatMap(PidRegistry::startMillis)
          .map(ms -> Long.toString(ms).equals(start))
          .orElse(false);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  static Optional<Long> startMillis(ProcessHandle handle) {
    return handle.info().startInstant().map(Instant::toEpochMilli);
  }
}
