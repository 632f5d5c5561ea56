package dev.shardless.invoker.local;

import static dev.shardless.invoker.local.PlatformFixture.WAIT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shardless.invoker.InvokerSettings;
import dev.shardless.invoker.SandboxMode;
import dev.shardless.invoker.local.PlatformFixture.Event;
import dev.shardless.invoker.local.PlatformFixture.Lost;
import dev.shardless.invoker.local.PlatformFixture.Ready;
import dev.shardless.invoker.local.PlatformFixture.Stopped;
import dev.shardless.invoker.testing.DebianPackages;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.model.Resources;
import dev.shardless.scheduler.port.FunctionReplicas;
import dev.shardless.scheduler.port.ReplicaEndpoint;
import dev.shardless.scheduler.port.SecretResolver;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes in bubblewrap: the layout the launcher gives (work dir = the checkout, data dir
 * {@code .shardless} inside it). Skipped, with the reason, where {@code bwrap} does not work.
 */
class SandboxTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final ObjectMapper json = new ObjectMapper();
  private static final FunctionId F1 = new FunctionId("openfaas-fn", "one");
  private static final FunctionId F2 = new FunctionId("openfaas-fn", "two");
  private static final Map<String, byte[]> SECRETS =
      Map.of("alpha", bytes("alpha-value"), "beta", bytes("beta-value"));

  @TempDir Path root;
  private Path workDir;
  private Path dataDir;
  private LocalProcessPlatform platform;
  private TestProbe<Event> probe;

  @BeforeAll
  static void requireBubblewrap() {
    DebianPackages.ensure("bwrap", "bubblewrap");
    assumeTrue(
        Sandbox.detect(
                PlatformFixture.settings(Path.of("/nonexistent")).withSandbox(SandboxMode.AUTO))
            .bubblewrap(),
        "bwrap is missing or does not work here: " + Sandbox.INSTALL_HINT);
  }

  @BeforeEach
  void open() throws Exception {
    workDir = Files.createDirectories(root.resolve("checkout"));
    dataDir = Files.createDirectories(workDir.resolve(".shardless"));
    Files.writeString(dataDir.resolve("admin-password"), "node-admin-secret");
    InvokerSettings settings =
        PlatformFixture.settings(dataDir).withWorkDir(workDir).withSandbox(SandboxMode.BUBBLEWRAP);
    SecretResolver resolver =
        (namespace, names) -> {
          Map<String, byte[]> out = new HashMap<>();
          for (String n : names) {
            if (!SECRETS.containsKey(n)) {
              return CompletableFuture.failedFuture(new SecretResolver.UnknownSecret(namespace, n));
            }
            out.put(n, SECRETS.get(n));
          }
          return CompletableFuture.completedFuture(out);
        };
    platform = new LocalProcessPlatform(testKit.system(), settings, resolver);
    probe = PlatformFixture.probe(testKit);
  }

  @AfterEach
  void shutdown() throws Exception {
    platform.shutdown().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void cannotListOrReadTheDataDirectoryInsideItsWorkDirNorWriteThere() throws Exception {
    Files.copy(Path.of(PlatformFixture.resource("fs_probe.py")), workDir.resolve("fs_probe.py"));
    FunctionSpec relative =
        new FunctionSpec(
            F1,
            "",
            "python3 fs_probe.py",
            Map.of("mode", "http"),
            null,
            null,
            null,
            null,
            null,
            null,
            false);
    ReplicaEndpoint r = start(F1, relative, "r1");

    JsonNode listed = call(r, "/list?path=" + dataDir);
    assertTrue(listed.get("ok").asBoolean(), listed.toString());
    assertEquals(0, listed.get("result").size(), "the data dir is an empty cover: " + listed);
    assertFalse(call(r, "/read?path=" + dataDir.resolve("admin-password")).get("ok").asBoolean());
    JsonNode work = call(r, "/list?path=" + workDir);
    assertEquals("[\".shardless\",\"fs_probe.py\"]", work.get("result").toString());
    assertFalse(call(r, "/write?path=" + workDir.resolve("x")).get("ok").asBoolean());
    assertFalse(call(r, "/write?path=" + dataDir.resolve("x")).get("ok").asBoolean());
  }

  @Test
  void aWorkDirTheCommandDoesNotNameShowsNothing() throws Exception {
    ReplicaEndpoint r = start(F1, probeSpec(F1, List.of(), false, null), "r1");

    JsonNode work = call(r, "/list?path=" + workDir);
    assertEquals("[]", work.get("result").toString(), work.toString());
    assertFalse(call(r, "/list?path=" + dataDir).get("ok").asBoolean());
  }

  @Test
  void seesItsOwnSecretsAndNotAnotherFunctions() throws Exception {
    ReplicaEndpoint one = start(F1, probeSpec(F1, List.of("alpha"), false, null), "r1");
    ReplicaEndpoint two = start(F2, probeSpec(F2, List.of("beta"), false, null), "r2");

    assertEquals(
        "alpha-value", call(one, "/read?path=/var/openfaas/secrets/alpha").get("result").asText());
    assertEquals(
        "[\"alpha\"]", call(one, "/list?path=/var/openfaas/secrets").get("result").toString());
    assertFalse(call(one, "/read?path=/var/openfaas/secrets/beta").get("ok").asBoolean());
    assertEquals(
        "beta-value", call(two, "/read?path=/var/openfaas/secrets/beta").get("result").asText());
    assertFalse(call(two, "/read?path=/var/openfaas/secrets/alpha").get("ok").asBoolean());
  }

  @Test
  void secretFilesArePrivateOnTheHostAndDeletedWhenTheReplicaStops() throws Exception {
    FunctionReplicas replicas = platform.open(F1, PlatformFixture.events(probe));
    ReplicaId id = new ReplicaId("r1");
    replicas.start(id, probeSpec(F1, List.of("alpha"), false, null));
    probe.expectMessageClass(Ready.class, WAIT);
    Path secretsRoot = dataDir.resolve("run").resolve("secrets");
    try (var files = Files.walk(secretsRoot)) {
      Path file = files.filter(p -> p.endsWith("alpha")).findFirst().orElseThrow();
      assertEquals("r--------", perms(file));
      assertEquals("rwx------", perms(file.getParent()));
    }

    replicas.stop(id, java.time.Duration.ZERO);

    assertInstanceOf(Stopped.class, probe.receiveMessage(WAIT));
    try (var files = Files.walk(secretsRoot)) {
      assertTrue(files.noneMatch(p -> p.endsWith("alpha")));
    }
  }

  @Test
  void anUnknownSecretFailsTheStartWithTheReason() {
    FunctionReplicas replicas = platform.open(F1, PlatformFixture.events(probe));
    replicas.start(new ReplicaId("r1"), probeSpec(F1, List.of("nope"), false, null));

    Lost lost = probe.expectMessageClass(Lost.class, WAIT);
    assertTrue(lost.reason().contains("secret nope does not exist"), lost.reason());
  }

  @Test
  void eachReplicaHasAPrivateTmp() throws Exception {
    ReplicaEndpoint one = start(F1, probeSpec(F1, List.of(), false, null), "r1");
    ReplicaEndpoint two = start(F2, probeSpec(F2, List.of(), false, null), "r2");
    String name = "/tmp/shardless-sandbox-" + ProcessHandle.current().pid() + "-" + root.hashCode();

    assertTrue(call(one, "/write?path=" + name).get("ok").asBoolean());
    assertTrue(call(one, "/read?path=" + name).get("ok").asBoolean());
    assertFalse(call(two, "/read?path=" + name).get("ok").asBoolean());
    assertFalse(Files.exists(Path.of(name)), "the host's /tmp is untouched");
  }

  @Test
  void readOnlyRootFilesystemLeavesOnlyTmpWritable() throws Exception {
    ReplicaEndpoint ro = start(F1, probeSpec(F1, List.of(), true, null), "r1");
    ReplicaEndpoint rw = start(F2, probeSpec(F2, List.of(), false, null), "r2");

    assertFalse(call(ro, "/write?path=/scratch").get("ok").asBoolean());
    Path besideScript = Path.of(PlatformFixture.resource("fs_probe.py")).resolveSibling("x");
    assertFalse(call(ro, "/write?path=" + besideScript).get("ok").asBoolean());
    assertFalse(call(rw, "/write?path=" + besideScript).get("ok").asBoolean());
    assertFalse(call(ro, "/write?path=/usr/x").get("ok").asBoolean());
    assertTrue(call(ro, "/write?path=/tmp/scratch").get("ok").asBoolean());
    assertTrue(call(rw, "/write?path=/scratch").get("ok").asBoolean(), "a throwaway root");
    assertFalse(call(rw, "/write?path=/usr/x").get("ok").asBoolean(), "system dirs stay read-only");
    assertFalse(Files.exists(Path.of("/scratch")));
    assertFalse(Files.exists(Path.of("/usr/x")));
  }

  @Test
  void allocatingBeyondTheMemoryLimitFails() throws Exception {
    ReplicaEndpoint limited = start(F1, probeSpec(F1, List.of(), false, "256Mi"), "r1");
    ReplicaEndpoint free = start(F2, probeSpec(F2, List.of(), false, null), "r2");

    JsonNode beyond = call(limited, "/alloc?mb=512");
    assertFalse(beyond.get("ok").asBoolean(), beyond.toString());
    assertTrue(beyond.get("error").asText().startsWith("MemoryError"), beyond.toString());
    assertTrue(call(limited, "/alloc?mb=16").get("ok").asBoolean());
    assertTrue(call(free, "/alloc?mb=512").get("ok").asBoolean());
    Confinement applied = platform.confinements(F1).get(new ReplicaId("r1"));
    assertEquals("bubblewrap", applied.sandbox());
    assertTrue(
        applied.memory().equals("rlimit AS=268435456")
            || applied.memory().equals("cgroup MemoryMax=268435456"),
        applied.toString());
  }

  @Test
  void classicForksRunInTheSandboxWithTheirSecrets() throws Exception {
    FunctionSpec spec =
        new FunctionSpec(
            F1,
            "",
            "cat /var/openfaas/secrets/alpha",
            Map.of(),
            null,
            List.of("alpha"),
            null,
            null,
            null,
            null,
            true);
    ReplicaEndpoint r = start(F1, spec, "r1");
    assertEquals("alpha-value", get(r, "/"));

    FunctionSpec ls =
        new FunctionSpec(
            F2, "", "ls -A " + dataDir, Map.of(), null, null, null, null, null, null, true);
    assertTrue(get(start(F2, ls, "r2"), "/").contains("No such file or directory"));
  }

  /**
   * The invoker spawns from a pool whose idle threads end after 60 s. A sandboxed process must
   * outlive the thread that spawned it: {@code bwrap --die-with-parent} (PR_SET_PDEATHSIG) killed
   * every replica with SIGKILL when that thread ended.
   */
  @Test
  void aSandboxedProcessOutlivesTheThreadThatSpawnedIt() throws Exception {
    InvokerSettings settings =
        PlatformFixture.settings(dataDir).withWorkDir(workDir).withSandbox(SandboxMode.BUBBLEWRAP);
    Map<String, String> env = Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    List<String> argv =
        Sandbox.detect(settings)
            .plan(
                List.of("sleep", "600"),
                env,
                probeSpec(F1, List.of(), false, null),
                Optional.empty())
            .argv();
    CompletableFuture<Process> spawned = new CompletableFuture<>();
    Thread spawner =
        new Thread(
            () -> {
              try {
                spawned.complete(
                    ProcessGroups.start(
                        argv, env, workDir, ProcessGroups.noInput(), Redirect.DISCARD));
              } catch (Exception e) {
                spawned.completeExceptionally(e);
              }
            });
    spawner.start();
    spawner.join();
    Process process = spawned.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    try {
      await().during(Duration.ofSeconds(1)).atMost(WAIT).until(process::isAlive);
    } finally {
      ProcessGroups.killGroupAndWait(process.toHandle(), WAIT);
    }
    assertFalse(process.isAlive());
  }

  private ReplicaEndpoint start(FunctionId function, FunctionSpec spec, String id) {
    FunctionReplicas replicas = platform.open(function, PlatformFixture.events(probe));
    replicas.start(new ReplicaId(id), spec);
    Event e = probe.receiveMessage(WAIT);
    assertInstanceOf(Ready.class, e, e.toString());
    return ((Ready) e).endpoint();
  }

  private static FunctionSpec probeSpec(
      FunctionId function, List<String> secrets, boolean readOnlyRoot, String memory) {
    return new FunctionSpec(
        function,
        "",
        "python3 " + PlatformFixture.resource("fs_probe.py"),
        Map.of("mode", "http"),
        null,
        secrets,
        null,
        null,
        memory == null ? null : new Resources(memory, null),
        null,
        readOnlyRoot);
  }

  private static JsonNode call(ReplicaEndpoint r, String path) throws Exception {
    return json.readTree(get(r, path));
  }

  private static String get(ReplicaEndpoint r, String path) throws Exception {
    URI uri = URI.create("http://" + r.host() + ":" + r.port() + path);
    return http.send(HttpRequest.newBuilder(uri).build(), BodyHandlers.ofString()).body();
  }

  private static String perms(Path p) throws Exception {
    return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
