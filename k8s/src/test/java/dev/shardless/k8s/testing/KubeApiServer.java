package dev.shardless.k8s.testing;

import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes control plane for tests: Debian's etcd, kube-apiserver and
 * kube-controller-manager 1.20.2 (built once per machine, see {@link KubeBinaries}), on free ports
 * of 127.0.0.1, with token authentication, RBAC authorization and service-account tokens. There is
 * no scheduler and no kubelet: {@link StandInKubelet} binds pods to the fake node {@link
 * #NODE_NAME} this class registers and runs their functions as local processes.
 *
 * <p>One control plane per JVM ({@link #shared()}), stopped by a shutdown hook; everything it
 * writes is under {@code target/kube-apiserver-<pid>/} (logs in {@code logs/}). Tests on it use
 * namespaces of their own. The controller manager runs every controller except {@code
 * nodelifecycle} (which would evict pods from a node whose kubelet never reports).
 *
 * <p>When the binaries cannot be built (no root or apt) or the control plane does not start, {@link
 * #sharedOrSkip()} skips the calling test, saying why; with {@code
 * -Dshardless.k8s.require-real-apiserver=true}, or with {@code CI=true} in the environment, it
 * fails instead (CI, where a skip would hide a broken tier).
 */
public final class KubeApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KubeApiServer.class);

  /** The fake node pods are bound to and the stand-in kubelet serves. */
  public static final String NODE_NAME = "standin-node";

  /** Turns the skip of {@link #sharedOrSkip()} into a failure. */
  public static final String REQUIRE_PROPERTY = "shardless.k8s.require-real-apiserver";

  private static final Duration START_BOUND = Duration.ofMinutes(2);
  private static KubeApiServer shared;
  private static Unavailable sharedFailure;

  private final Path dir;
  private final Path logDir;
  private final List<Daemon> daemons = new ArrayList<>();
  private KubeBinaries binaries;
  private TestPki pki;
  private String etcdUrl;
  private String url;
  private Path kubeconfig;
  private KubernetesClient client;

  /** Thrown when the control plane cannot be built or started; the message says why. */
  public static final class Unavailable extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String message) {
      super(message);
    }
  }

  private KubeApiServer(Path dir) {
    this.dir = dir;
    this.logDir = dir.resolve("logs");
  }

  /**
   * The JVM's control plane, started on first use (building the binaries if the cache lacks them)
   * and stopped when the JVM exits. Throws {@link Unavailable} when that is not possible (and the
   * same failure again on later calls).
   */
  public static synchronized KubeApiServer shared() {
    if (shared != null) {
      return shared;
    }
    if (sharedFailure != null) {
      throw sharedFailure;
    }
    KubeApiServer server =
        new KubeApiServer(
            Path.of("target", "kube-apiserver-" + ProcessHandle.current().pid()).toAbsolutePath());
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "kube-apiserver-stop"));
    try {
      server.start();
    } catch (Unavailable e) {
      sharedFailure = e;
      server.close();
      throw e;
    } catch (RuntimeException e) {
      sharedFailure =
          new Unavailable("the control plane failed to start: " + e + "; logs in " + server.logDir);
      sharedFailure.initCause(e);
      server.close();
      throw sharedFailure;
    }
    shared = server;
    return server;
  }

  /** {@link #shared()}, or skips the calling test with the reason (see the class comment). */
  public static KubeApiServer sharedOrSkip() {
    try {
      return shared();
    } catch (Unavailable e) {
      if (Boolean.getBoolean(REQUIRE_PROPERTY) || "true".equals(System.getenv("CI"))) {
        throw e;
      }
      return Assumptions.abort("the real kube-apiserver tier is skipped: " + e.getMessage());
    }
  }

  /** Builds (if needed) and starts etcd, kube-apiserver and kube-controller-manager. */
  private synchronized void start() {
    try {
      Files.createDirectories(logDir);
      long t0 = System.nanoTime();
      binaries = KubeBinaries.ensure(logDir);
      long t1 = System.nanoTime();
      pki = TestPki.create(dir.resolve("pki"), logDir.resolve("openssl.log"));
      long t2 = System.nanoTime();
      etcdUrl = ControlPlane.startEtcd(this, binaries.etcd(), dir.resolve("etcd"));
      long t3 = System.nanoTime();
      url = ControlPlane.startApiServer(this, binaries.apiServer(), pki, etcdUrl, dir);
      long t4 = System.nanoTime();
      kubeconfig =
          writeKubeconfig(
              dir.resolve("admin.kubeconfig"), "shardless-admin", pki.adminToken(), "default");
      ControlPlane.startControllerManager(this, binaries.controllerManager(), pki, kubeconfig, dir);
      client = new KubernetesClientBuilder().withConfig(config()).build();
      ControlPlane.registerNode(client, NODE_NAME);
      ControlPlane.awaitControllers(this, client);
      long t5 = System.nanoTime();
      String timings =
          String.format(
              "binaries %d ms, certificates %d ms, etcd %d ms, kube-apiserver %d ms,"
                  + " kube-controller-manager and node %d ms: control plane ready in %d ms at %s%n",
              millis(t1 - t0),
              millis(t2 - t1),
              millis(t3 - t2),
              millis(t4 - t3),
              millis(t5 - t4),
              millis(t5 - t1),
              url);
      Files.writeString(logDir.resolve("timings.txt"), timings, StandardCharsets.UTF_8);
      log.info("Real Kubernetes control plane: {}; logs in {}", timings.trim(), logDir);
    } catch (IOException e) {
      throw new Unavailable("cannot start the control plane: " + e + "; logs in " + logDir);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unavailable("interrupted while starting the control plane");
    }
  }

  /** The API server's URL, {@code https://127.0.0.1:<port>}. */
  public String url() {
    return url;
  }

  /** An admin kubeconfig (group {@code system:masters}) for this API server. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /**
   * fabric8 configuration for an admin client of this API server; its watches reconnect at most 3.2
   * s apart (not fabric8's 32 s), so the stand-in kubelet sees {@link #startApiServer()} soon.
   */
  public Config config() {
    Config config = Config.fromKubeconfig(kubeconfig.toFile());
    config.setWatchReconnectInterval(100);
    return config;
  }

  /**
   * A kubeconfig acting as service account {@code serviceAccount} of {@code namespace} (which must
   * exist), with a token from the TokenRequest API valid for a day: what that account's RBAC
   * grants, and nothing more. For a client in this JVM ({@link
   * Config#fromKubeconfig(java.io.File)}) or in another process ({@code KUBECONFIG}).
   */
  public Path kubeconfigAs(String namespace, String serviceAccount) {
    TokenRequest request =
        new TokenRequestBuilder().withNewSpec().withExpirationSeconds(86_400L).endSpec().build();
    String token =
        client
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(serviceAccount)
            .tokenRequest(request)
            .getStatus()
            .getToken();
    try {
      return writeKubeconfig(
          dir.resolve("sa-" + namespace + "-" + serviceAccount + ".kubeconfig"),
          "system:serviceaccount:" + namespace + ":" + serviceAccount,
          token,
          namespace);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A shared admin client; do not close it. */
  public KubernetesClient client() {
    return client;
  }

  /** The bearer token of the admin user (group {@code system:masters}). */
  public String adminToken() {
    return pki.adminToken();
  }

  /** The CA certificate that signed the API server's serving certificate. */
  public Path caCertificate() {
    return pki.caCert();
  }

  /** Where etcd, kube-apiserver, kube-controller-manager and the build write their output. */
  public Path logDir() {
    return logDir;
  }

  /** Runs {@code kubectl --kubeconfig <admin> args...}; returns its stdout, throws on failure. */
  public String kubectl(String... args) {
    List<String> argv = new ArrayList<>(List.of(binaries.kubectl().toString()));
    argv.add("--kubeconfig=" + kubeconfig);
    argv.addAll(List.of(args));
    try {
      Path err = Files.createTempFile(dir, "kubectl", ".err");
      Process p =
          new ProcessBuilder(argv)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectError(err.toFile())
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish");
      }
      String stderr = Files.readString(err);
      Files.delete(err);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            "kubectl " + String.join(" ", args) + " failed (" + p.exitValue() + "): " + stderr);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Takes the API server away, as an outage would: kills the kube-apiserver process only (SIGKILL:
   * its connections break as in a crash; etcd and the controller manager keep running), so
   * connections to {@link #url()} are refused until {@link #startApiServer()}. Clients of it, in
   * this JVM or another, see the outage. Tests that call this must give the shared control plane
   * back running, in a class of their own (other classes on it must not see the outage).
   */
  public synchronized void stopApiServer() {
    Daemon apiServer = daemon("kube-apiserver");
    apiServer.kill();
    disown(apiServer);
    log.info("kube-apiserver at {} stopped", url);
  }

  /**
   * Starts the API server again after {@link #stopApiServer()}: same flags, certificates, etcd and
   * port (so {@link #url()} and every kubeconfig stay valid); returns once {@code /readyz} is ok.
   */
  public synchronized void startApiServer() {
    try {
      ControlPlane.restartApiServer(this, binaries.apiServer(), pki, etcdUrl, dir, url);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    log.info("kube-apiserver at {} started again", url);
  }

  /**
   * Stops the control plane (controller manager, API server, etcd) and removes etcd's data. The
   * shared one is stopped by its shutdown hook: tests must not close it.
   */
  @Override
  public synchronized void close() {
    if (client != null) {
      client.close();
      client = null;
    }
    for (int i = daemons.size() - 1; i >= 0; i--) {
      daemons.get(i).close();
    }
    daemons.clear();
    deleteTree(dir.resolve("etcd"));
  }

  /** Registers a started daemon so that {@link #close()} stops it. */
  synchronized void adopt(Daemon daemon) {
    daemons.add(daemon);
  }

  /** Forgets a daemon that has been closed. */
  synchronized void disown(Daemon daemon) {
    daemons.remove(daemon);
  }

  /** The last daemon started under {@code name}. */
  synchronized Daemon daemon(String name) {
    for (int i = daemons.size() - 1; i >= 0; i--) {
      if (daemons.get(i).name().equals(name)) {
        return daemons.get(i);
      }
    }
    throw new IllegalStateException(name + " was not started");
  }

  Path logFile(String name) {
    return logDir.resolve(name + ".log");
  }

  /** A port free on 127.0.0.1 right now. */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private Path writeKubeconfig(Path file, String user, String token, String namespace)
      throws IOException {
    Files.writeString(
        file,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: shardless-test",
            "  cluster:",
            "    server: " + url,
            "    certificate-authority: " + pki.caCert(),
            "users:",
            "- name: " + user,
            "  user:",
            "    token: " + token,
            "contexts:",
            "- name: shardless-test",
            "  context:",
            "    cluster: shardless-test",
            "    user: " + user,
            "    namespace: " + namespace,
            "current-context: shardless-test",
            ""));
    return file;
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.debug("Could not delete {}: {}", root, e.toString());
    }
  }
}
