package dev.shardless.invoker.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * Builds the command line that confines one function process. Pure: every fact about the machine
 * (which system directories exist, whether cgroups or {@code prlimit} work) comes in as an
 * argument.
 *
 * <p>The confined command is {@code [limits] bwrap <mounts> -- <command>}, where {@code [limits]}
 * is {@code systemd-run --scope --quiet --collect -p MemoryMax=B -p CPUQuota=P% --} when cgroups
 * can be used, else {@code prlimit --as=B --} for memory alone. The bubblewrap part, in mount order
 * (later mounts cover earlier ones):
 *
 * <ol>
 *   <li>{@code --unshare-all --share-net}: own pid, ipc, uts, cgroup and user namespaces; the
 *       host's network, so the node reaches the replica on 127.0.0.1:PORT. Not {@code
 *       --die-with-parent}: that is {@code PR_SET_PDEATHSIG}, which fires when the <em>thread</em>
 *       that spawned the process ends, and the invoker spawns from a pool whose idle threads end
 *       after 60 s, so every sandboxed replica was killed a minute after it started. The replica's
 *       process group dies with this JVM anyway ({@link ProcessGroups}), sandbox included: bwrap
 *       starts no new session, so the group holds every process inside it.
 *   <li>system directories read-only ({@code --ro-bind}), or as symlinks where the host has one
 *       ({@code /bin -> usr/bin}); sensitive files under them covered by {@code /dev/null}.
 *   <li>{@code --proc /proc --dev /dev --tmpfs /tmp}: a fresh procfs, a minimal /dev, a private
 *       /tmp.
 *   <li>the function's own directories read-only: the directories of its script and interpreter
 *       (none inside a hidden directory). The work dir is among them only when the command names a
 *       file in it; otherwise the sandbox has an empty directory at its path ({@code --dir}), so
 *       the current directory exists but shows nothing of the node's.
 *   <li>each hidden directory (the node's data dir) that a bind above would show is covered by an
 *       empty read-only tmpfs.
 *   <li>the replica's secrets directory read-only at {@code /var/openfaas/secrets}.
 *   <li>{@code --remount-ro /} when {@code readOnlyRootFilesystem}: then only /tmp is writable;
 *       otherwise the sandbox's root is a private throwaway tmpfs.
 *   <li>{@code --chdir <work dir>}.
 * </ol>
 *
 * Example: work dir {@code /srv/app} holding {@code handler.py}, data dir {@code
 * /srv/app/.shardless}, secrets in {@code /srv/app/.shardless/run/secrets/1/ns/f/r1}: {@code bwrap
 * --unshare-all --share-net --ro-bind /usr /usr --symlink usr/bin /bin … --proc /proc --dev /dev
 * --tmpfs /tmp --ro-bind /srv/app /srv/app --tmpfs /srv/app/.shardless --remount-ro
 * /srv/app/.shardless --ro-bind /srv/app/.shardless/run/secrets/1/ns/f/r1 /var/openfaas/secrets
 * --chdir /srv/app -- python3 handler.py}.
 */
final class SandboxArgs {
  static final String SECRETS_MOUNT = "/var/openfaas/secrets";

  private SandboxArgs() {}

  /** A system path seen in the sandbox: bound read-only, or a symlink to {@code symlinkTo}. */
  record SystemEntry(Path path, Optional<String> symlinkTo) {
    SystemEntry {
      Objects.requireNonNull(path);
      Objects.requireNonNull(symlinkTo);
    }

    static SystemEntry bind(Path p) {
      return new SystemEntry(p, Optional.empty());
    }

    static SystemEntry link(Path p, String target) {
      return new SystemEntry(p, Optional.of(target));
    }
  }

  /**
   * What the sandbox shows.
   *
   * @param system system directories that exist on the host
   * @param masked sensitive files (that exist) to cover with {@code /dev/null}
   * @param readOnly the function's own directories, absolute
   * @param hidden directories the function must never see (the node's data dir)
   * @param secretsDir this replica's secrets directory, if it has secrets
   * @param workDir the working directory
   * @param readOnlyRoot {@code readOnlyRootFilesystem}
   */
  record Layout(
      List<SystemEntry> system,
      List<Path> masked,
      List<Path> readOnly,
      List<Path> hidden,
      Optional<Path> secretsDir,
      Path workDir,
      boolean readOnlyRoot) {
    Layout {
      system = List.copyOf(system);
      masked = List.copyOf(masked);
      readOnly = List.copyOf(readOnly);
      hidden = List.copyOf(hidden);
      Objects.requireNonNull(secretsDir);
      Objects.requireNonNull(workDir);
    }
  }

  /**
   * Resource limits asked for and what the machine offers.
   *
   * @param memoryBytes {@code limits.memory} in bytes, if set and valid
   * @param cores {@code limits.cpu} in cores, if set and valid
   * @param cgroups {@code systemd-run --scope} works here
   * @param prlimit {@code prlimit} is available
   */
  record Limits(OptionalLong memoryBytes, OptionalDouble cores, boolean cgroups, boolean prlimit) {
    static final Limits NONE =
        new Limits(OptionalLong.empty(), OptionalDouble.empty(), false, false);
  }

  /** The command to run and what confines it. */
  record Plan(List<String> argv, Confinement confinement) {
    Plan {
      argv = List.copyOf(argv);
    }
  }

  /** {@code command} wrapped in the limits and (when {@code sandbox} is present) bubblewrap. */
  static Plan plan(List<String> command, Optional<Layout> sandbox, Limits limits) {
    List<String> argv = new ArrayList<>();
    String memory = "none";
    String cpu = "none";
    if (limits.cgroups() && (limits.memoryBytes().isPresent() || limits.cores().isPresent())) {
      argv.addAll(List.of("systemd-run", "--scope", "--quiet", "--collect"));
      if (limits.memoryBytes().isPresent()) {
        memory = "cgroup MemoryMax=" + limits.memoryBytes().getAsLong();
        argv.addAll(List.of("-p", "MemoryMax=" + limits.memoryBytes().getAsLong()));
      }
      if (limits.cores().isPresent()) {
        long percent = Math.max(1, Math.round(limits.cores().getAsDouble() * 100));
        cpu = "cgroup CPUQuota=" + percent + "%";
        argv.addAll(List.of("-p", "CPUQuota=" + percent + "%"));
      }
      argv.add("--");
    } else if (limits.prlimit() && limits.memoryBytes().isPresent()) {
      memory = "rlimit AS=" + limits.memoryBytes().getAsLong();
      argv.addAll(List.of("prlimit", "--as=" + limits.memoryBytes().getAsLong(), "--"));
    }
    if (sandbox.isPresent()) {
      argv.addAll(bwrap(sandbox.get()));
    }
    argv.addAll(command);
    return new Plan(
        argv, new Confinement(sandbox.isPresent() ? "bubblewrap" : "none", memory, cpu));
  }

  /** The {@code bwrap … --} prefix for {@code layout}. */
  static List<String> bwrap(Layout layout) {
    List<String> a = new ArrayList<>(List.of("bwrap", "--unshare-all", "--share-net"));
    List<Path> visible = new ArrayList<>();
    for (SystemEntry e : layout.system()) {
      if (e.symlinkTo().isPresent()) {
        a.addAll(List.of("--symlink", e.symlinkTo().get(), e.path().toString()));
      } else if (!insideAny(e.path(), layout.hidden())) {
        bind(a, e.path(), e.path());
        visible.add(e.path());
      }
    }
    for (Path m : layout.masked()) {
      bind(a, Path.of("/dev/null"), m);
    }
    a.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"));
    for (Path p : ownDirs(layout, visible)) {
      bind(a, p, p);
      visible.add(p);
    }
    for (Path h : new TreeSet<>(layout.hidden())) {
      if (insideAny(h, visible)) {
        a.addAll(List.of("--tmpfs", h.toString(), "--remount-ro", h.toString()));
      }
    }
    if (!insideAny(layout.workDir(), visible) || insideAny(layout.workDir(), layout.hidden())) {
      a.addAll(List.of("--dir", layout.workDir().toString()));
    }
    layout.secretsDir().ifPresent(s -> bind(a, s, Path.of(SECRETS_MOUNT)));
    if (layout.readOnlyRoot()) {
      a.addAll(List.of("--remount-ro", "/"));
    }
    a.addAll(List.of("--chdir", layout.workDir().toString(), "--"));
    return a;
  }

  /**
   * The read-only dirs, normalized, without duplicates, without those already shown by a wider
   * bind, and without any inside a hidden directory or equal to {@code /}; sorted so that a parent
   * is bound before its children.
   */
  private static List<Path> ownDirs(Layout layout, List<Path> visible) {
    TreeSet<Path> dirs = new TreeSet<>();
    layout.readOnly().forEach(p -> dirs.add(p.normalize()));
    List<Path> out = new ArrayList<>();
    for (Path p : dirs) {
      boolean shown = insideAny(p, visible) || insideAny(p, out);
      if (!p.isAbsolute() || p.getParent() == null || shown || insideAny(p, layout.hidden())) {
        continue;
      }
      out.add(p);
    }
    return out;
  }

  /** True when {@code p} is {@code dir} or lies under it, for some {@code dir} of {@code dirs}. */
  static boolean insideAny(Path p, List<Path> dirs) {
    Path n = p.normalize();
    return dirs.stream().anyMatch(d -> n.startsWith(d.normalize()));
  }

  private static void bind(List<String> a, Path source, Path dest) {
    a.addAll(List.of("--ro-bind", source.toString(), dest.toString()));
  }
}
