package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shardless.invoker.testing.DebianPackages;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node with the sandbox required, laid out as the launcher does (data directory inside the
 * work directory): an HTTP-mode function is invoked as usual but cannot list or read the node's
 * data directory, and does not inherit the node's {@code SHARDLESS_*} settings (its admin
 * password).
 */
class ConfinementIT {
  @TempDir Path dir;

  @BeforeAll
  static void requireBubblewrap() throws Exception {
    DebianPackages.ensure("bwrap", "bubblewrap");
    assumeTrue(bwrapWorks(), "bwrap is missing or does not work here: apt-get install bubblewrap");
  }

  @Test
  void functionIsInvokedButCannotSeeTheDataDirectory() throws Exception {
    Path work = Files.createDirectories(dir.resolve("checkout"));
    Path data = work.resolve(".shardless");
    Map<String, String> env =
        Map.of("SHARDLESS_WORK_DIR", work.toString(), "SHARDLESS_SANDBOX", "bubblewrap");
    try (NodeProcess node = new NodeProcess(data, env).start()) {
      Api api = new Api(node);
      assertThat(api.system("POST", "/system/functions", Api.probe("jailed", "", "")).statusCode())
          .isEqualTo(202);

      HttpResponse<String> echo = api.invoke("POST", "/function/jailed/hello", "body");
      assertThat(echo.statusCode()).as(echo.body()).isEqualTo(200);
      assertThat(Api.json(echo).get("body").asText()).isEqualTo("body");

      List<String> onHost;
      try (Stream<Path> files = Files.list(data)) {
        onHost = files.map(p -> p.getFileName().toString()).toList();
      }
      assertThat(onHost).as("the node keeps its journal and logs there").isNotEmpty();
      Path someFile;
      try (Stream<Path> files = Files.walk(data)) {
        someFile = files.filter(Files::isRegularFile).findFirst().orElseThrow();
      }

      HttpResponse<String> r =
          api.invoke("GET", "/function/jailed/fs?list=" + data + "&read=" + someFile, null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode fs = Api.json(r);
      JsonNode list = fs.get("list");
      assertThat(list.get("ok").asBoolean() ? list.get("result").size() : 0)
          .as("nothing of the data dir: " + list)
          .isZero();
      assertThat(fs.get("read").get("ok").asBoolean()).as(fs.toString()).isFalse();
      assertThat(fs.get("env").toString()).doesNotContain("SHARDLESS_ADMIN_PASSWORD");

      HttpResponse<String> status = api.system("GET", "/system/function/jailed", null);
      assertThat(status.statusCode()).isEqualTo(200);
      JsonNode confinement = Api.json(status).get("confinement");
      assertThat(confinement).as(status.body()).isNotNull();
      assertThat(confinement.get("sandbox").asText()).isEqualTo("bubblewrap");
      assertThat(confinement.get("memory").asText()).as("no limits.memory asked").isEqualTo("none");
    }
  }

  /** Issue 8's acceptance on a real node, with the durable secret store. */
  @Test
  void functionReadsItsOwnSecretsOnlyAndARedeploySeesAnUpdate() throws Exception {
    Path data = dir.resolve("data");
    Map<String, String> env = Map.of("SHARDLESS_SANDBOX", "bubblewrap");
    try (NodeProcess node = new NodeProcess(data, env).start()) {
      Api api = new Api(node);
      String ns = "openfaas-fn";
      assertThat(
              api.system("POST", "/system/secrets", SecretsIT.secret("mine", "value", "m1", ns))
                  .statusCode())
          .isBetween(200, 202);
      assertThat(
              api.system("POST", "/system/secrets", SecretsIT.secret("theirs", "value", "t1", ns))
                  .statusCode())
          .isBetween(200, 202);
      String secrets = "/var/openfaas/secrets";
      assertThat(
              api.system("POST", "/system/functions", withSecrets("reader", "mine")).statusCode())
          .isEqualTo(202);

      JsonNode fs = fs(api, "reader", secrets, secrets + "/mine");
      assertThat(fs.get("list").get("result").toString()).isEqualTo("[\"mine\"]");
      assertThat(fs.get("read").get("result").asText()).isEqualTo("m1");
      assertThat(fs(api, "reader", secrets, secrets + "/theirs").get("read").get("ok").asBoolean())
          .isFalse();

      assertThat(
              api.system("PUT", "/system/secrets", SecretsIT.secret("mine", "value", "m2", ns))
                  .statusCode())
          .isBetween(200, 202);
      assertThat(api.system("PUT", "/system/functions", withSecrets("reader", "mine")).statusCode())
          .isEqualTo(200);
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(30))
          .until(
              () ->
                  "m2"
                      .equals(
                          fs(api, "reader", secrets, secrets + "/mine")
                              .get("read")
                              .path("result")
                              .asText()));
    }
  }

  private static JsonNode fs(Api api, String fn, String list, String read) throws Exception {
    HttpResponse<String> r =
        api.invoke("GET", "/function/" + fn + "/fs?list=" + list + "&read=" + read, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Api.json(r);
  }

  /** The probe function's deploy body listing {@code secret}. */
  private static String withSecrets(String name, String secret) {
    return Api.probe(name, "", "").replaceFirst("\\{", "{\"secrets\":[\"" + secret + "\"],");
  }

  private static boolean bwrapWorks() throws IOException, InterruptedException {
    try {
      Process p =
          new ProcessBuilder("bwrap", "--unshare-all", "--share-net", "--ro-bind", "/", "/", "true")
              .redirectOutput(Redirect.DISCARD)
              .redirectErrorStream(true)
              .start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
