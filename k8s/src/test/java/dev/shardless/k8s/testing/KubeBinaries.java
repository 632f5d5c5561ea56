package dev.shardless.k8s.testing;

import dev.shardless.invoker.testing.DebianPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the test control plane's programs come from. kube-apiserver and kube-controller-manager are
 * built once from Debian's {@code kubernetes} source package by {@code build-kube.sh} and cached
 * under {@code ~/.cache/shardless/kubernetes-1.20.2/bin} (system property {@code
 * shardless.kube.cache} moves the cache); etcd comes from Debian's {@code etcd-server}, kubectl and
 * openssl from the machine.
 */
record KubeBinaries(Path apiServer, Path controllerManager, Path etcd, Path kubectl) {
  private static final Logger log = LoggerFactory.getLogger(KubeBinaries.class);

  /** The Kubernetes version {@code build-kube.sh} builds. */
  static final String VERSION = "1.20.2";

  /** {@code false} stops the tests from building the binaries when the cache lacks them. */
  static final String BUILD_PROPERTY = "shardless.kube.build";

  private static final Duration BUILD_BOUND = Duration.ofMinutes(40);
  private static final String SCRIPT = "k8s/src/test/scripts/build-kube.sh";

  /**
   * The binaries, building them first when the cache lacks them (about 5 minutes, once per
   * machine). Throws {@link KubeApiServer.Unavailable} saying why when that cannot be done.
   */
  static KubeBinaries ensure(Path logDir) {
    Path cache =
        Path.of(
            System.getProperty(
                "shardless.kube.cache",
                Path.of(
                        System.getProperty("user.home"),
                        ".cache",
                        "shardless",
                        "kubernetes-" + VERSION)
                    .toString()));
    Path bin = cache.resolve("bin");
    if (!built(bin)) {
      if (!Boolean.parseBoolean(System.getProperty(BUILD_PROPERTY, "true"))) {
        throw new KubeApiServer.Unavailable(
            "kube-apiserver is not built in "
                + bin
                + " and -D"
                + BUILD_PROPERTY
                + "=false forbids building it (run "
                + SCRIPT
                + ")");
      }
      build(cache, logDir.resolve("build-kube.log"));
    }
    if (!DebianPackages.ensure("etcd", "etcd-server")) {
      throw new KubeApiServer.Unavailable("etcd (Debian package etcd-server) is not installed");
    }
    if (!DebianPackages.ensure("openssl", "openssl")) {
      throw new KubeApiServer.Unavailable("openssl is not installed");
    }
    Path kubectl = Path.of("/usr/bin/kubectl");
    if (!Files.isExecutable(kubectl)) {
      throw new KubeApiServer.Unavailable("kubectl is not installed at " + kubectl);
    }
    return new KubeBinaries(
        bin.resolve("kube-apiserver"),
        bin.resolve("kube-controller-manager"),
        Path.of("/usr/bin/etcd"),
        kubectl);
  }

  private static boolean built(Path bin) {
    return Files.isExecutable(bin.resolve("kube-apiserver"))
        && Files.isExecutable(bin.resolve("kube-controller-manager"));
  }

  private static void build(Path cache, Path buildLog) {
    Path script = locateScript();
    log.info(
        "Building kube-apiserver {} into {} (once per machine, about 5 minutes; log: {})",
        VERSION,
        cache,
        buildLog);
    try {
      Process p =
          new ProcessBuilder(List.of("bash", script.toString(), cache.toString()))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(buildLog.toFile()))
              .start();
      if (!p.waitFor(BUILD_BOUND.toMinutes(), TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new KubeApiServer.Unavailable(
            "build-kube.sh did not finish within " + BUILD_BOUND + "; see " + buildLog);
      }
      if (p.exitValue() != 0) {
        throw new KubeApiServer.Unavailable(
            "build-kube.sh failed (exit "
                + p.exitValue()
                + ", it needs root or password-less sudo for apt-get); see "
                + buildLog);
      }
    } catch (IOException e) {
      throw new KubeApiServer.Unavailable("cannot run build-kube.sh: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubeApiServer.Unavailable("interrupted while building kube-apiserver");
    }
  }

  /** The script, found from the k8s module's or a sibling module's directory. */
  private static Path locateScript() {
    Path cwd = Path.of("").toAbsolutePath();
    for (Path base = cwd; base != null; base = base.getParent()) {
      Path candidate = base.resolve(SCRIPT);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new KubeApiServer.Unavailable(
        "kube-apiserver is not built and " + SCRIPT + " is not found above " + cwd);
  }
}
