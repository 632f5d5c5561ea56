package dev.shardless.invoker.local;

import dev.shardless.invoker.InvokerSettings;
import dev.shardless.invoker.SandboxMode;
import dev.shardless.invoker.local.SandboxArgs.SystemEntry;
import dev.shardless.scheduler.model.FunctionSpec;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machine side of confinement: finds out once, at platform start, whether {@code bwrap},
 * cgroups ({@code systemd-run --scope}) and {@code prlimit} work here, and gathers the paths that
 * {@link SandboxArgs} turns into a command line. Blocking; call it from the invoker's threads.
 */
final class Sandbox {
  private static final Logger log = LoggerFactory.getLogger(Sandbox.class);
  private static final List<String> SYSTEM_DIRS =
      List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt");
  private static final List<String> SENSITIVE_FILES =
      List.of(
          "/etc/shadow",
          "/etc/shadow-",
          "/etc/gshadow",
          "/etc/gshadow-",
          "/etc/sudoers",
          "/etc/security/opasswd");
  static final String INSTALL_HINT =
      "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install"
          + " bubblewrap) or set shardless.invoker.sandbox = none (SHARDLESS_SANDBOX=none)";

  private final InvokerSettings settings;
  private final boolean bubblewrap;
  private final boolean cgroups;
  private final boolean prlimit;

  private Sandbox(InvokerSettings settings, boolean bubblewrap, boolean cgroups, boolean prlimit) {
    this.settings = settings;
    this.bubblewrap = bubblewrap;
    this.cgroups = cgroups;
    this.prlimit = prlimit;
  }

  /**
   * Detects what this machine offers. {@code auto} without a working {@code bwrap} logs one WARN
   * and runs unconfined; {@code bubblewrap} without one fails.
   */
  static Sandbox detect(InvokerSettings settings) {
    boolean bwrap =
        settings.sandbox() != SandboxMode.NONE
            && runs(
                List.of("bwrap", "--unshare-all", "--share-net", "--ro-bind", "/", "/", "true"));
    if (settings.sandbox() == SandboxMode.BUBBLEWRAP && !bwrap) {
      throw new IllegalStateException(
          "shardless.invoker.sandbox = bubblewrap, but bwrap does not work here: " + INSTALL_HINT);
    }
    boolean cg = runs(List.of("systemd-run", "--scope", "--quiet", "--collect", "true"));
    boolean pr = runs(List.of("prlimit", "--version"));
    if (settings.sandbox() == SandboxMode.AUTO && !bwrap) {
      log.warn(
          "Function processes run UNCONFINED (they can read this node's data directory and"
              + " other functions' files): bwrap is missing or does not work; "
              + INSTALL_HINT);
    }
    log.info(
        "Function confinement: sandbox={}, memory limits={}, cpu limits={}",
        bwrap ? "bubblewrap" : "none",
        cg ? "cgroup (systemd-run)" : pr ? "rlimit AS (prlimit)" : "none",
        cg ? "cgroup (systemd-run)" : "none");
    return new Sandbox(settings, bwrap, cg, pr);
  }

  boolean bubblewrap() {
    return bubblewrap;
  }

  /**
   * The confined command for {@code command} of {@code spec}, with {@code secretsDir} mounted at
   * {@code /var/openfaas/secrets}; {@code env} gives the PATH its interpreter is found on.
   */
  SandboxArgs.Plan plan(
      List<String> command, Map<String, String> env, FunctionSpec spec, Optional<Path> secretsDir) {
    SandboxArgs.Limits limits =
        new SandboxArgs.Limits(
            Quantities.bytes(spec.limits().memory()),
            Quantities.cores(spec.limits().cpu()),
            cgroups,
            prlimit);
    Optional<SandboxArgs.Layout> layout =
        bubblewrap
            ? Optional.of(
                new SandboxArgs.Layout(
                    systemEntries(),
                    existing(SENSITIVE_FILES),
                    ownDirs(command, env),
                    List.of(settings.dataDir()),
                    secretsDir,
                    settings.workDir(),
                    spec.readOnlyRootFilesystem()))
            : Optional.empty();
    return SandboxArgs.plan(command, layout, limits);
  }

  private static List<SystemEntry> systemEntries() {
    List<SystemEntry> out = new ArrayList<>();
    for (String d : SYSTEM_DIRS) {
      Path p = Path.of(d);
      try {
        if (Files.isSymbolicLink(p)) {
          out.add(SystemEntry.link(p, Files.readSymbolicLink(p).toString()));
        } else if (Files.isDirectory(p)) {
          out.add(SystemEntry.bind(p));
        }
      } catch (IOException e) {
        log.debug("Skipping {} in the sandbox: {}", p, e.toString());
      }
    }
    return out;
  }

  private static List<Path> existing(List<String> files) {
    List<Path> out = new ArrayList<>();
    files.stream().map(Path::of).filter(Files::isRegularFile).forEach(out::add);
    Path ssh = Path.of("/etc/ssh");
    if (Files.isDirectory(ssh)) {
      try (DirectoryStream<Path> keys = Files.newDirectoryStream(ssh, "*_key")) {
        keys.forEach(out::add);
      } catch (IOException e) {
        log.debug("Cannot list {}: {}", ssh, e.toString());
      }
    }
    return out;
  }

  /**
   * The directories the command needs besides the system ones: the installation root of its
   * interpreter (the parent of a {@code bin} or {@code shims} directory, e.g. {@code /root/.pyenv}
   * for a pyenv shim), and the directory of every argument that names an existing file (a bare name
   * such as {@code handler.py} counts when it is a file in the work dir).
   */
  private List<Path> ownDirs(List<String> command, Map<String, String> env) {
    List<Path> out = new ArrayList<>();
    if (command.isEmpty()) {
      return out;
    }
    executable(command.get(0), env).ifPresent(exe -> addInstallRoots(exe, out));
    for (String arg : command.subList(1, command.size())) {
      if (arg.startsWith("-") || arg.isEmpty()) {
        continue;
      }
      Path p = settings.workDir().resolve(arg);
      if (arg.contains("/") ? Files.exists(p) : Files.isRegularFile(p)) {
        addDirOf(p, out);
        real(p).ifPresent(r -> addDirOf(r, out));
      }
    }
    return out;
  }

  private Optional<Path> executable(String name, Map<String, String> env) {
    if (name.contains("/")) {
      return Optional.of(settings.workDir().resolve(name));
    }
    for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = dir.isEmpty() ? null : settings.workDir().resolve(dir).resolve(name);
      if (p != null && Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static void addInstallRoots(Path exe, List<Path> out) {
    addInstallRoot(exe, out);
    real(exe).ifPresent(r -> addInstallRoot(r, out));
  }

  private static void addInstallRoot(Path exe, List<Path> out) {
    Path dir = exe.toAbsolutePath().normalize().getParent();
    if (dir == null) {
      return;
    }
    String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
    Path root = (name.equals("bin") || name.equals("shims")) ? dir.getParent() : dir;
    if (root != null && root.getParent() != null) {
      out.add(root);
    }
  }

  private static void addDirOf(Path p, List<Path> out) {
    Path abs = p.toAbsolutePath().normalize();
    Path dir = Files.isDirectory(abs) ? abs : abs.getParent();
    if (dir != null && dir.getParent() != null) {
      out.add(dir);
    }
  }

  private static Optional<Path> real(Path p) {
    try {
      return Optional.of(p.toRealPath());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static boolean runs(List<String> command) {
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectInput(ProcessGroups.noInput())
              .redirectOutput(Redirect.DISCARD)
              .redirectErrorStream(true)
              .start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
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
