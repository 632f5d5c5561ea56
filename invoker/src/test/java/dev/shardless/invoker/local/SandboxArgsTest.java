package dev.shardless.invoker.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shardless.invoker.local.SandboxArgs.Layout;
import dev.shardless.invoker.local.SandboxArgs.Limits;
import dev.shardless.invoker.local.SandboxArgs.SystemEntry;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SandboxArgsTest {
  private static final Path WORK = Path.of("/srv/app");
  private static final Path DATA = Path.of("/srv/app/.shardless");
  private static final List<SystemEntry> SYSTEM =
      List.of(SystemEntry.bind(Path.of("/usr")), SystemEntry.link(Path.of("/bin"), "usr/bin"));
  private static final List<String> CMD = List.of("python3", "handler.py");

  private static Layout layout(
      List<Path> readOnly, Optional<Path> secrets, boolean readOnlyRoot, Path... hidden) {
    return new Layout(
        SYSTEM,
        List.of(Path.of("/etc/shadow")),
        readOnly,
        List.of(hidden),
        secrets,
        WORK,
        readOnlyRoot);
  }

  private static Layout plain() {
    return layout(List.of(), Optional.empty(), false, DATA);
  }

  /** The index of the first occurrence of {@code seq} as consecutive elements, or -1. */
  private static int indexOf(List<String> args, String... seq) {
    return Collections.indexOfSubList(args, List.of(seq));
  }

  @Test
  void startsWithNamespacesAndSharedNetworkButNoDeathWithTheSpawningThread() {
    List<String> a = SandboxArgs.bwrap(plain());
    assertEquals(List.of("bwrap", "--unshare-all", "--share-net"), a.subList(0, 3));
    assertFalse(a.contains("--die-with-parent"), "PR_SET_PDEATHSIG follows the spawning thread");
    assertEquals("--", a.get(a.size() - 1));
    assertTrue(indexOf(a, "--chdir", "/srv/app", "--") == a.size() - 3);
  }

  @Test
  void bindsSystemDirectoriesReadOnlyAndKeepsSymlinks() {
    List<String> a = SandboxArgs.bwrap(plain());
    assertTrue(indexOf(a, "--ro-bind", "/usr", "/usr") > 0);
    assertTrue(indexOf(a, "--symlink", "usr/bin", "/bin") > 0);
    assertFalse(a.contains("--bind"), "no writable bind at all");
  }

  @Test
  void coversSensitiveFilesWithDevNull() {
    assertTrue(indexOf(SandboxArgs.bwrap(plain()), "--ro-bind", "/dev/null", "/etc/shadow") > 0);
  }

  @Test
  void givesAFreshProcMinimalDevAndPrivateTmp() {
    assertTrue(
        indexOf(SandboxArgs.bwrap(plain()), "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp")
            > 0);
  }

  @Test
  void anUnreferencedWorkDirIsAnEmptyDirectoryInTheSandbox() {
    List<String> a = SandboxArgs.bwrap(plain());
    assertEquals(-1, indexOf(a, "--ro-bind", "/srv/app", "/srv/app"));
    assertTrue(indexOf(a, "--dir", "/srv/app") > indexOf(a, "--tmpfs", "/tmp"));
    assertFalse(a.contains(DATA.toString()), "nothing shows the data dir, nothing to cover");
  }

  @Test
  void bindsTheWorkDirReadOnlyAndHidesTheDataDirInsideIt() {
    List<String> a = SandboxArgs.bwrap(layout(List.of(WORK), Optional.empty(), false, DATA));
    assertEquals(-1, indexOf(a, "--dir", "/srv/app"));
    int work = indexOf(a, "--ro-bind", "/srv/app", "/srv/app");
    int hide = indexOf(a, "--tmpfs", DATA.toString(), "--remount-ro", DATA.toString());
    assertTrue(work > 0);
    assertTrue(hide > work, "the data dir is covered after (over) the work dir bind");
  }

  @Test
  void doesNotMountADataDirThatNothingShows() {
    Layout l = layout(List.of(), Optional.empty(), false, Path.of("/var/lib/shardless"));
    assertFalse(SandboxArgs.bwrap(l).contains("/var/lib/shardless"));
  }

  @Test
  void hidesTheDataDirEvenWhenItIsASystemDirectory() {
    Layout l = layout(List.of(), Optional.empty(), false, Path.of("/opt/shardless/data"));
    Layout withOpt =
        new Layout(
            List.of(SystemEntry.bind(Path.of("/opt"))),
            List.of(),
            List.of(),
            l.hidden(),
            Optional.empty(),
            WORK,
            false);
    List<String> a = SandboxArgs.bwrap(withOpt);
    assertTrue(indexOf(a, "--tmpfs", "/opt/shardless/data") > indexOf(a, "--ro-bind", "/opt"));
  }

  @Test
  void neverBindsADirectoryInsideTheDataDir() {
    Path inside = DATA.resolve("logs");
    Layout l = layout(List.of(inside), Optional.empty(), false, DATA);
    assertEquals(-1, indexOf(SandboxArgs.bwrap(l), "--ro-bind", inside.toString()));
  }

  @Test
  void bindsOwnDirectoriesOnceParentsFirstAndSkipsWhatIsAlreadyVisible() {
    Layout l =
        layout(
            List.of(
                Path.of("/root/.pyenv"),
                Path.of("/root/.pyenv/versions/3.12/bin"),
                Path.of("/usr/lib/jvm"),
                WORK,
                Path.of("/srv/app/examples/x"),
                Path.of("/root/.pyenv"),
                Path.of("/")),
            Optional.empty(),
            false,
            DATA);
    List<String> a = SandboxArgs.bwrap(l);
    assertTrue(indexOf(a, "--ro-bind", "/root/.pyenv", "/root/.pyenv") > 0);
    assertEquals(1, Collections.frequency(a, "/root/.pyenv") / 2);
    assertEquals(-1, indexOf(a, "--ro-bind", "/root/.pyenv/versions/3.12/bin"));
    assertEquals(-1, indexOf(a, "--ro-bind", "/usr/lib/jvm"));
    assertEquals(-1, indexOf(a, "--ro-bind", "/srv/app/examples/x"));
    assertEquals(-1, indexOf(a, "--ro-bind", "/", "/"));
  }

  @Test
  void mountsOnlyThisReplicasSecretsReadOnlyAtTheOpenFaasPath() {
    Path secrets = DATA.resolve("run/secrets/1/ns/f/r1");
    List<String> a = SandboxArgs.bwrap(layout(List.of(WORK), Optional.of(secrets), false, DATA));
    int mount = indexOf(a, "--ro-bind", secrets.toString(), "/var/openfaas/secrets");
    assertTrue(mount > 0);
  }

  @Test
  void withoutSecretsNothingIsMountedAtTheSecretsPath() {
    assertFalse(SandboxArgs.bwrap(plain()).contains("/var/openfaas/secrets"));
  }

  @Test
  void readOnlyRootFilesystemRemountsTheRootReadOnlyLast() {
    List<String> a = SandboxArgs.bwrap(layout(List.of(), Optional.empty(), true, DATA));
    int remount = indexOf(a, "--remount-ro", "/");
    assertTrue(remount > indexOf(a, "--tmpfs", "/tmp"));
    assertEquals(a.size() - 5, remount);
    assertEquals(-1, indexOf(SandboxArgs.bwrap(plain()), "--remount-ro", "/"));
  }

  static Stream<Arguments> limits() {
    OptionalLong mem = OptionalLong.of(134217728);
    OptionalDouble cpu = OptionalDouble.of(0.5);
    OptionalLong noMem = OptionalLong.empty();
    OptionalDouble noCpu = OptionalDouble.empty();
    return Stream.of(
        Arguments.of(
            new Limits(mem, cpu, true, true),
            List.of(
                "systemd-run",
                "--scope",
                "--quiet",
                "--collect",
                "-p",
                "MemoryMax=134217728",
                "-p",
                "CPUQuota=50%",
                "--"),
            "cgroup MemoryMax=134217728",
            "cgroup CPUQuota=50%"),
        Arguments.of(
            new Limits(noMem, cpu, true, true),
            List.of("systemd-run", "--scope", "--quiet", "--collect", "-p", "CPUQuota=50%", "--"),
            "none",
            "cgroup CPUQuota=50%"),
        Arguments.of(
            new Limits(mem, cpu, false, true),
            List.of("prlimit", "--as=134217728", "--"),
            "rlimit AS=134217728",
            "none"),
        Arguments.of(new Limits(mem, cpu, false, false), List.of(), "none", "none"),
        Arguments.of(new Limits(noMem, cpu, false, true), List.of(), "none", "none"),
        Arguments.of(new Limits(noMem, noCpu, true, true), List.of(), "none", "none"),
        Arguments.of(Limits.NONE, List.of(), "none", "none"));
  }

  @ParameterizedTest
  @MethodSource("limits")
  void appliesLimitsWithTheBestMechanismAndReportsIt(
      Limits limits, List<String> prefix, String memory, String cpu) {
    SandboxArgs.Plan p = SandboxArgs.plan(CMD, Optional.of(plain()), limits);
    assertEquals(prefix, p.argv().subList(0, prefix.size()));
    assertEquals("bwrap", p.argv().get(prefix.size()));
    assertEquals(CMD, p.argv().subList(p.argv().size() - 2, p.argv().size()));
    assertEquals(new Confinement("bubblewrap", memory, cpu), p.confinement());
  }

  @Test
  void withoutASandboxTheCommandRunsAsIsButLimitsStillApply() {
    SandboxArgs.Plan none = SandboxArgs.plan(CMD, Optional.empty(), Limits.NONE);
    assertEquals(CMD, none.argv());
    assertEquals(Confinement.NONE, none.confinement());
    SandboxArgs.Plan limited =
        SandboxArgs.plan(
            CMD,
            Optional.empty(),
            new Limits(OptionalLong.of(1024), OptionalDouble.empty(), false, true));
    assertEquals(List.of("prlimit", "--as=1024", "--", "python3", "handler.py"), limited.argv());
    assertEquals(new Confinement("none", "rlimit AS=1024", "none"), limited.confinement());
  }

  @Test
  void tinyCpuLimitsRoundUpToOnePercent() {
    SandboxArgs.Plan p =
        SandboxArgs.plan(
            CMD,
            Optional.empty(),
            new Limits(OptionalLong.empty(), OptionalDouble.of(0.001), true, false));
    assertEquals("cgroup CPUQuota=1%", p.confinement().cpu());
  }
}
