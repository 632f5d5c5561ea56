package dev.shardless.invoker.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The test suite's own set-up of the Debian tools it needs (CI starts from a clean machine): when a
 * command is missing and this user may install packages (root, or password-less sudo), installs its
 * package with apt-get. Tests still check the tool works afterwards and skip, saying why, where it
 * could not be installed.
 */
public final class DebianPackages {
  private static final Logger log = LoggerFactory.getLogger(DebianPackages.class);
  private static final long BOUND_MINUTES = 10;

  private DebianPackages() {}

  /**
   * Makes sure {@code command} is on the PATH, installing {@code pkg} if it is not and we can.
   * Returns whether the command is there now. Output goes to {@code target/apt-<pkg>.log}.
   */
  public static synchronized boolean ensure(String command, String pkg) {
    if (onPath(command)) {
      return true;
    }
    List<String> prefix = new ArrayList<>();
    if (!isRoot()) {
      if (!run(List.of("sudo", "-n", "true"), null)) {
        log.warn("{} is missing and this user cannot install {} (not root, no sudo)", command, pkg);
        return false;
      }
      prefix.add("sudo");
      prefix.add("-n");
    }
    if (!onPath("apt-get")) {
      log.warn("{} is missing and there is no apt-get to install {}", command, pkg);
      return false;
    }
    Path logFile = Path.of("target", "apt-" + pkg + ".log").toAbsolutePath();
    log.info("installing Debian package {} for the tests (log: {})", pkg, logFile);
    List<String> update = new ArrayList<>(prefix);
    update.addAll(List.of("apt-get", "update", "-qq"));
    List<String> install = new ArrayList<>(prefix);
    install.addAll(List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install"));
    install.addAll(List.of("-y", "-qq", "--no-install-recommends", pkg));
    run(update, logFile);
    run(install, logFile);
    return onPath(command);
  }

  private static boolean onPath(String command) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Runs {@code argv} to its end (bounded); true when it exited 0. */
  private static boolean run(List<String> argv, Path logFile) {
    try {
      ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
      if (logFile != null) {
        Files.createDirectories(logFile.getParent());
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      } else {
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
      }
      Process p = pb.start();
      if (!p.waitFor(BOUND_MINUTES, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
