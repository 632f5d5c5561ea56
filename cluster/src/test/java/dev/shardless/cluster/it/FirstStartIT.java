package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user sees on the first start with defaults: a generated admin password, kept and
 * printed once, and the examples deployed and answering.
 */
class FirstStartIT {
  private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

  @TempDir Path dir;

  @Test
  void generatesTheAdminPasswordOnceAndDeploysTheExamples() throws Exception {
    Path data = dir.resolve("data");
    Map<String, String> env =
        Map.of(
            "SHARDLESS_ADMIN_PASSWORD", "",
            "SHARDLESS_EXAMPLES", "true",
            "SHARDLESS_EXAMPLES_DIR", EXAMPLES.toString());
    Path passwordFile = data.resolve("admin-password");
    String password;
    int deployed;
    try (NodeProcess first = new NodeProcess(data, env).start()) {
      password = Files.readString(passwordFile, StandardCharsets.UTF_8).trim();
      assertThat(password).hasSizeGreaterThanOrEqualTo(20);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile)))
          .isEqualTo("rw-------");
      assertThat(first.output()).contains(password);

      Api api = new Api(first);
      HttpResponse<String> hello = api.invoke("POST", "/function/python-hello", "hi");
      assertThat(hello.statusCode()).as(hello.body()).isEqualTo(200);
      assertThat(hello.body()).contains("Hello from Python").contains("hi");
      HttpResponse<String> classic = api.invoke("POST", "/function/shell-echo/x?y=1", "hi");
      assertThat(classic.statusCode()).as(classic.body()).isEqualTo(200);
      assertThat(classic.body()).contains("Hello from sh: POST /x?y=1");

      HttpResponse<String> list =
          api.system("GET", "/system/functions", null, NodeProcess.USER, password);
      assertThat(list.statusCode()).isEqualTo(200);
      List<String> names = new ArrayList<>();
      for (JsonNode f : Api.json(list)) {
        names.add(f.get("name").asText());
      }
      assertThat(names).contains("python-hello", "shell-echo", "java-hello");
      deployed = names.size();
      assertThat(api.system("GET", "/system/functions", null).statusCode())
          .as("the test's fixed password is not this node's")
          .isEqualTo(401);
    }

    try (NodeProcess second = new NodeProcess(data, env).start()) {
      assertThat(Files.readString(passwordFile, StandardCharsets.UTF_8).trim()).isEqualTo(password);
      assertThat(second.output()).doesNotContain(password);
      Api api = new Api(second);
      HttpResponse<String> list =
          api.system("GET", "/system/functions", null, NodeProcess.USER, password);
      assertThat(list.statusCode()).isEqualTo(200);
      assertThat(Api.json(list).size()).as("examples are not deployed twice").isEqualTo(deployed);
    }
  }
}
