package dev.shardless.k8s.testing;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Starts the parts of {@link KubeApiServer} one by one, each on free ports, and waits until each
 * answers. A port taken between choosing it and binding it (another test JVM) is retried with new
 * ports.
 */
final class ControlPlane {
  private static final Duration READY_BOUND = Duration.ofMinutes(2);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final int ATTEMPTS = 3;

  private ControlPlane() {}

  /** Starts etcd; returns its client URL. */
  static String startEtcd(KubeApiServer owner, Path etcd, Path dataDir) throws IOException {
    HttpClient http = HttpClient.newHttpClient();
    return startWithRetry(
        owner,
        "etcd",
        attempt -> {
          int client = KubeApiServer.freePort();
          int peer = KubeApiServer.freePort();
          String clientUrl = "http://127.0.0.1:" + client;
          String peerUrl = "http://127.0.0.1:" + peer;
          return new Launch(
              List.of(
                  etcd.toString(),
                  "--name=shardless-test",
                  "--data-dir=" + dataDir.resolve("attempt-" + attempt),
                  "--listen-client-urls=" + clientUrl,
                  "--advertise-client-urls=" + clientUrl,
                  "--listen-peer-urls=" + peerUrl,
                  "--initial-advertise-peer-urls=" + peerUrl,
                  "--initial-cluster=shardless-test=" + peerUrl,
                  "--listen-metrics-urls=http://127.0.0.1:" + KubeApiServer.freePort()),
              clientUrl,
              () -> answers(http, clientUrl + "/health", null, "\"health\":\"true\""));
        });
  }

  /** Starts kube-apiserver on etcd {@code etcdUrl}; returns its URL once {@code /readyz} is ok. */
  static String startApiServer(
      KubeApiServer owner, Path binary, TestPki pki, String etcdUrl, Path dir) throws IOException {
    HttpClient https = HttpClient.newBuilder().sslContext(trusting(pki.caCert())).build();
    return startWithRetry(
        owner,
        "kube-apiserver",
        attempt -> apiServer(binary, pki, etcdUrl, dir, KubeApiServer.freePort(), https));
  }

  /**
   * Starts kube-apiserver again on the port of {@code url} (where an earlier one ran, with the same
   * flags); returns once {@code /readyz} is ok. Not retried on other ports: clients know this one.
   */
  static void restartApiServer(
      KubeApiServer owner, Path binary, TestPki pki, String etcdUrl, Path dir, String url)
      throws IOException {
    HttpClient https = HttpClient.newBuilder().sslContext(trusting(pki.caCert())).build();
    int port = URI.create(url).getPort();
    startOnce(owner, "kube-apiserver", apiServer(binary, pki, etcdUrl, dir, port, https), 0);
  }

  private static Launch apiServer(
      Path binary, TestPki pki, String etcdUrl, Path dir, int port, HttpClient https) {
    String url = "https://127.0.0.1:" + port;
    return new Launch(
        List.of(
            binary.toString(),
            "--etcd-servers=" + etcdUrl,
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            "--secure-port=" + port,
            "--insecure-port=0",
            "--cert-dir=" + dir.resolve("apiserver-certs"),
            "--tls-cert-file=" + pki.servingCert(),
            "--tls-private-key-file=" + pki.servingKey(),
            "--client-ca-file=" + pki.caCert(),
            "--token-auth-file=" + pki.tokenFile(),
            "--authorization-mode=RBAC",
            "--service-account-key-file=" + pki.serviceAccountPub(),
            "--service-account-signing-key-file=" + pki.serviceAccountKey(),
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--service-cluster-ip-range=10.96.0.0/16",
            "--allow-privileged=true",
            // Its own endpoint would be 127.0.0.1, which Endpoints reject; nothing in the
            // tests reaches the API server through the in-cluster `kubernetes` Service.
            "--endpoint-reconciler-type=none",
            // pods/log goes to the stand-in kubelet's HTTPS server at the Node's InternalIP
            // (127.0.0.1; its Hostname does not resolve). Its certificate is self-signed:
            // without --kubelet-certificate-authority the API server does not check it.
            "--kubelet-preferred-address-types=InternalIP",
            "--enable-priority-and-fairness=false",
            "--profiling=false",
            "--v=1"),
        url,
        () -> answers(https, url + "/readyz", pki.adminToken(), "ok"));
  }

  /** Starts kube-controller-manager against the API server in {@code kubeconfig}. */
  static void startControllerManager(
      KubeApiServer owner, Path binary, TestPki pki, Path kubeconfig, Path dir) throws IOException {
    startWithRetry(
        owner,
        "kube-controller-manager",
        attempt ->
            new Launch(
                List.of(
                    binary.toString(),
                    "--kubeconfig=" + kubeconfig,
                    "--controllers=*,-nodelifecycle",
                    "--service-account-private-key-file=" + pki.serviceAccountKey(),
                    "--root-ca-file=" + pki.caCert(),
                    "--use-service-account-credentials=true",
                    "--leader-elect=false",
                    "--port=0",
                    "--secure-port=0",
                    "--flex-volume-plugin-dir=" + dir.resolve("flexvolume"),
                    "--profiling=false",
                    "--v=1"),
                "",
                () -> true));
  }

  /**
   * Registers the fake node: Ready, room for 250 pods, its address 127.0.0.1, and without the
   * not-ready taint admission put on it (no node controller will ever take it off).
   */
  static void registerNode(KubernetesClient client, String name) {
    String now = Instant.now().toString();
    Map<String, Quantity> capacity =
        Map.of(
            "cpu",
            new Quantity("64"),
            "memory",
            new Quantity("256Gi"),
            "pods",
            new Quantity("250"));
    Node node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .addToLabels("kubernetes.io/hostname", name)
            .addToLabels("kubernetes.io/os", "linux")
            .addToLabels("kubernetes.io/arch", "amd64")
            .endMetadata()
            .withNewStatus()
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .withReason("StandInKubeletReady")
            .withMessage("a stand-in kubelet in the test JVM runs this node's pods")
            .withLastHeartbeatTime(now)
            .withLastTransitionTime(now)
            .endCondition()
            .withCapacity(capacity)
            .withAllocatable(capacity)
            .addNewAddress()
            .withType("InternalIP")
            .withAddress("127.0.0.1")
            .endAddress()
            .addNewAddress()
            .withType("Hostname")
            .withAddress(name)
            .endAddress()
            .endStatus()
            .build();
    client.nodes().resource(node).create();
    client
        .nodes()
        .withName(name)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            Serialization.asJson(Map.of("status", node.getStatus())));
    client
        .nodes()
        .withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"taints\":null}}");
  }

  /**
   * Waits until the controller manager works: its service-account controller has made the {@code
   * default} ServiceAccount of {@code default} (pods cannot be admitted before).
   */
  static void awaitControllers(KubeApiServer owner, KubernetesClient client) {
    Daemon kcm = owner.daemon("kube-controller-manager");
    awaitOrFail(
        kcm,
        () -> client.serviceAccounts().inNamespace("default").withName("default").get() != null);
  }

  /** What to start, the value to return when it is ready, and how to tell. */
  private record Launch(List<String> argv, String result, Callable<Boolean> ready) {}

  private static String startWithRetry(
      KubeApiServer owner, String name, IntFunction<Launch> launchFor) throws IOException {
    for (int attempt = 1; ; attempt++) {
      Launch launch = launchFor.apply(attempt);
      try {
        return startOnce(owner, name, launch, attempt);
      } catch (KubeApiServer.Unavailable e) {
        if (attempt >= ATTEMPTS || !e.getMessage().contains("address already in use")) {
          throw e;
        }
      }
    }
  }

  /** Starts {@code launch} and waits until it is ready; closes it when it is not. */
  private static String startOnce(KubeApiServer owner, String name, Launch launch, int attempt)
      throws IOException {
    Path logFile = owner.logFile(name);
    Files.writeString(
        logFile,
        "### " + (attempt == 0 ? "restart" : "attempt " + attempt) + ": " + launch.argv() + "\n",
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    Daemon daemon = Daemon.start(name, launch.argv(), logFile);
    owner.adopt(daemon);
    try {
      awaitOrFail(daemon, launch.ready());
      return launch.result();
    } catch (KubeApiServer.Unavailable e) {
      daemon.close();
      owner.disown(daemon);
      throw e;
    }
  }

  /** Waits for {@code ready}; fails at once with the log's tail when the daemon exits. */
  private static void awaitOrFail(Daemon daemon, Callable<Boolean> ready) {
    try {
      await()
          .atMost(READY_BOUND)
          .pollInterval(POLL)
          .until(
              () -> {
                if (!daemon.alive()) {
                  throw new KubeApiServer.Unavailable(
                      daemon.name()
                          + " exited at start; end of "
                          + daemon.log()
                          + ":\n"
                          + daemon.logTail());
                }
                return ready.call();
              });
    } catch (ConditionTimeoutException e) {
      throw new KubeApiServer.Unavailable(
          daemon.name()
              + " not ready within "
              + READY_BOUND
              + "; end of "
              + daemon.log()
              + ":\n"
              + daemon.logTail());
    }
  }

  /** True when GET {@code url} answers 200 with a body containing {@code expected}. */
  private static boolean answers(HttpClient http, String url, String token, String expected) {
    try {
      HttpRequest.Builder req =
          HttpRequest.newBuilder(URI.create(url)).timeout(POLL.multipliedBy(20));
      if (token != null) {
        req.header("Authorization", "Bearer " + token);
      }
      HttpResponse<String> res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
      return res.statusCode() == 200 && res.body().contains(expected);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static SSLContext trusting(Path caCert) throws IOException {
    try (InputStream in = Files.newInputStream(caCert)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot trust " + caCert, e);
    }
  }
}
