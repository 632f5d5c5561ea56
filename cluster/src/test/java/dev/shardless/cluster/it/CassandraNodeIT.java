package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shardless.persistence.testing.CassandraServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node on the Cassandra backend ({@code SHARDLESS_PERSISTENCE=cassandra}) against a real
 * Cassandra ({@link CassandraServer#shared()}, keyspaces of its own): what it deploys outlives the
 * node and its data directory, because nothing of it is kept there.
 */
class CassandraNodeIT {
  @TempDir Path dir;

  @Test
  void aDeployedFunctionIsListedAndInvokableAfterARestartOnAnEmptyDataDirectory() throws Exception {
    Map<String, String> env = CassandraBackend.env();
    Path firstData = dir.resolve("first");
    try (NodeProcess first = new NodeProcess(firstData, env).start()) {
      Api api = new Api(first);
      assertThat(
              api.system(
                      "POST", "/system/functions", Api.probe("kept", "\"GREETING\":\"kept\"", ""))
                  .statusCode())
          .isEqualTo(202);
      HttpResponse<String> r = api.invoke("GET", "/function/kept", null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      // A JVM ended by SIGTERM exits 128+15 even after a clean coordinated shutdown.
      assertThat(first.stopGracefully()).isIn(0, 143);
    }
    assertThat(firstData.resolve("journal")).as("no H2 journal").doesNotExist();

    try (NodeProcess second = new NodeProcess(dir.resolve("second"), env).start()) {
      Api api = new Api(second);
      HttpResponse<String> list = api.system("GET", "/system/functions", null);
      assertThat(list.statusCode()).isEqualTo(200);
      List<String> names = new ArrayList<>();
      for (JsonNode f : Api.json(list)) {
        names.add(f.get("name").asText());
      }
      assertThat(names).containsExactly("kept");
      HttpResponse<String> again = api.invoke("GET", "/function/kept", null);
      assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
      assertThat(Api.json(again).get("greeting").asText()).isEqualTo("kept");
    }
  }
}
