package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry survives a stop and a kill -9; no function process outlives its node. */
class RestartIT {
  @TempDir Path dir;

  @Test
  void registryIsIntactAfterGracefulStopAndAfterKill9() throws Exception {
    Path data = dir.resolve("data");
    long pid;
    try (NodeProcess first = new NodeProcess(data).start()) {
      Api api = new Api(first);
      assertThat(
              api.system(
                      "POST", "/system/functions", Api.probe("keep", "\"GREETING\":\"kept\"", ""))
                  .statusCode())
          .isEqualTo(202);
      assertThat(
              api.system("POST", "/system/functions", Api.classic("keep-classic", "")).statusCode())
          .isEqualTo(202);
      HttpResponse<String> r = api.invoke("GET", "/function/keep", null);
      assertThat(r.statusCode()).isEqualTo(200);
      pid = Api.json(r).get("pid").asLong();
      // A JVM ended by SIGTERM exits 128+15 even after a clean coordinated shutdown.
      assertThat(first.stopGracefully()).isIn(0, 143);
    }
    assertThat(ProcessHandle.of(pid)).as("replica stopped with its node").isEmpty();

    NodeProcess second = new NodeProcess(data).start();
    Api api = new Api(second);
    assertThat(api.system("GET", "/system/function/keep", null).statusCode()).isEqualTo(200);
    assertThat(api.system("GET", "/system/function/keep-classic", null).statusCode())
        .isEqualTo(200);
    HttpResponse<String> again = api.invoke("GET", "/function/keep", null);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(Api.json(again).get("greeting").asText()).isEqualTo("kept");
    long secondPid = Api.json(again).get("pid").asLong();
    assertThat(
            api.system("POST", "/system/functions", Api.probe("after-restart", "", ""))
                .statusCode())
        .isEqualTo(202);

    second.kill9();
    await()
        .atMost(Duration.ofSeconds(20))
        .alias("replica dies with a kill -9 node")
        .until(() -> ProcessHandle.of(secondPid).isEmpty());

    try (NodeProcess third = new NodeProcess(data).start()) {
      Api api3 = new Api(third);
      for (String fn : new String[] {"keep", "keep-classic", "after-restart"}) {
        HttpResponse<String> r = api3.invoke("POST", "/function/" + fn, "x");
        assertThat(r.statusCode()).as(fn + ": " + r.body()).isEqualTo(200);
      }
      assertThat(Api.json(api3.invoke("GET", "/function/keep", null)).get("greeting").asText())
          .isEqualTo("kept");
    }
  }
}
