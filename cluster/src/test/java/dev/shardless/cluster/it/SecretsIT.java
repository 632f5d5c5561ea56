package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code /system/secrets} on a real node: CRUD with faas-cli's status codes, names only in the
 * list, 400 naming the field, 401 without credentials, deploys that list a missing secret refused,
 * and secrets kept across a restart on the same data directory. Values are checked at the store
 * level (SecretCatalogTest): no API returns them.
 */
class SecretsIT {
  static final String PLAINTEXT = "s3cr3t-value-never-listed";

  /** A cluster-wide key given by the environment: 32 bytes in base64. */
  static final String SHARED_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

  @RegisterExtension
  static final RunningNode NODE =
      new RunningNode(
          Map.of(
              "SHARDLESS_NAMESPACES", "openfaas-fn,team-b", "SHARDLESS_SECRETS_KEY", SHARED_KEY));

  @TempDir Path dir;

  static String secret(String name, String valueField, String value) {
    return secret(name, valueField, value, "team-b");
  }

  static String secret(String name, String valueField, String value, String namespace) {
    return "{\"name\":\""
        + name
        + "\",\"namespace\":\""
        + namespace
        + "\",\""
        + valueField
        + "\":\""
        + value
        + "\"}";
  }

  static List<String> names(HttpResponse<String> list) throws Exception {
    List<String> names = new ArrayList<>();
    for (JsonNode n : Api.json(list)) {
      names.add(n.get("name").asText());
    }
    return names;
  }

  @Test
  void crudWithFaasCliStatusCodesAndNamesOnlyInTheList() throws Exception {
    Api api = NODE.api();
    assertThat(api.system("POST", "/system/secrets", secret("db", "value", PLAINTEXT)).statusCode())
        .isEqualTo(201);
    assertThat(api.system("POST", "/system/secrets", secret("db", "value", "x")).statusCode())
        .isEqualTo(409);
    assertThat(
            api.system("POST", "/system/secrets", secret("bin.key", "rawValue", "AP8KDQ=="))
                .statusCode())
        .isEqualTo(201);
    assertThat(api.system("PUT", "/system/secrets", secret("db", "value", "v2")).statusCode())
        .isEqualTo(200);
    assertThat(api.system("PUT", "/system/secrets", secret("ghost", "value", "v")).statusCode())
        .isEqualTo(404);
    assertThat(api.system("POST", "/system/secrets", secret("temp", "value", "t")).statusCode())
        .isEqualTo(201);
    String deleteTemp = "{\"name\":\"temp\",\"namespace\":\"team-b\"}";
    assertThat(api.system("DELETE", "/system/secrets", deleteTemp).statusCode()).isEqualTo(200);
    assertThat(api.system("DELETE", "/system/secrets", deleteTemp).statusCode()).isEqualTo(404);

    HttpResponse<String> list = api.system("GET", "/system/secrets?namespace=team-b", null);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).doesNotContain(PLAINTEXT).doesNotContain("v2").doesNotContain("value");
    // Other tests of this class add secrets to team-b too.
    assertThat(names(list)).contains("bin.key", "db").doesNotContain("temp").isSorted();
    assertThat(Api.json(list).get(0).get("namespace").asText()).isEqualTo("team-b");
    assertThat(names(api.system("GET", "/system/secrets", null))).doesNotContain("db");
  }

  @Test
  void aKeyFromTheEnvironmentIsUsedAndNoKeyFileIsWritten() throws Exception {
    assertThat(
            NODE.api()
                .system("POST", "/system/secrets", secret("env-key", "value", "v"))
                .statusCode())
        .isEqualTo(201);
    assertThat(NODE.node().dataDir().resolve("secrets.key")).doesNotExist();
  }

  @Test
  void withoutCredentialsEveryCallIs401() throws Exception {
    Api api = NODE.api();
    for (String method : new String[] {"GET", "POST", "PUT", "DELETE"}) {
      String body = method.equals("GET") ? null : secret("nope", "value", "v");
      HttpResponse<String> r = api.system(method, "/system/secrets", body, null, null);
      assertThat(r.statusCode()).as(method).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
      HttpResponse<String> wrong =
          api.system(method, "/system/secrets", body, NodeProcess.USER, "wrong");
      assertThat(wrong.statusCode()).as(method).isEqualTo(401);
    }
    assertThat(names(api.system("GET", "/system/secrets?namespace=team-b", null)))
        .doesNotContain("nope");
  }

  @Test
  void unknownNamespaceAndBadDeleteBodiesAre400() throws Exception {
    Api api = NODE.api();
    HttpResponse<String> list = api.system("GET", "/system/secrets?namespace=elsewhere", null);
    assertThat(list.statusCode()).isEqualTo(400);
    assertThat(list.body()).contains("namespace");
    for (String[] bad :
        new String[][] {{"{}", "name"}, {"{\"name\":\"Bad!\"}", "name"}, {"[]", "object"}}) {
      HttpResponse<String> r = api.system("DELETE", "/system/secrets", bad[0]);
      assertThat(r.statusCode()).as(bad[0]).isEqualTo(400);
      assertThat(r.body()).contains(bad[1]);
    }
  }

  @Test
  void secretsSurviveARestartOnTheSameDataDirAndTheKeyFileIsPrivate() throws Exception {
    Path data = dir.resolve("data");
    try (NodeProcess node = new NodeProcess(data).start()) {
      Api api = new Api(node);
      assertThat(
              api.system("POST", "/system/secrets", secret("kept", "value", "v", "openfaas-fn"))
                  .statusCode())
          .isEqualTo(201);
      assertThat(Files.getPosixFilePermissions(data.resolve("secrets.key")))
          .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
      assertThat(node.stopGracefully()).isIn(0, 143);
    }

    try (NodeProcess again = new NodeProcess(data).start()) {
      HttpResponse<String> list = new Api(again).system("GET", "/system/secrets", null);
      assertThat(list.statusCode()).isEqualTo(200);
      assertThat(names(list)).containsExactly("kept");
    }
  }

  @Test
  void deployListingAMissingSecretIs400NamingSecretsAndAnExistingOneDeploys() throws Exception {
    Api api = NODE.api();
    String withSecret =
        "{\"service\":\"uses-secret\",\"image\":\"i\",\"envProcess\":\"sh x.sh\","
            + "\"secrets\":[\"api-key\"]}";

    // The same name in another namespace does not count.
    assertThat(api.system("POST", "/system/secrets", secret("api-key", "value", "k")).statusCode())
        .isEqualTo(201);
    for (String method : new String[] {"POST", "PUT"}) {
      HttpResponse<String> r = api.system(method, "/system/functions", withSecret);
      assertThat(r.statusCode()).as(method + " " + r.body()).isEqualTo(400);
      assertThat(r.body()).contains("secrets").contains("api-key").doesNotContain("Exception");
    }

    assertThat(
            api.system("POST", "/system/secrets", secret("api-key", "value", "k", "openfaas-fn"))
                .statusCode())
        .isEqualTo(201);
    assertThat(api.system("POST", "/system/functions", withSecret).statusCode()).isEqualTo(202);
    assertThat(api.system("PUT", "/system/functions", withSecret).statusCode()).isEqualTo(200);
  }

  static Stream<Arguments> badBodies() {
    return Stream.of(
        Arguments.of("{\"value\":\"v\"}", "name"),
        Arguments.of("{\"name\":\"Bad_Name\",\"value\":\"v\"}", "name"),
        Arguments.of("{\"name\":\"-x\",\"value\":\"v\"}", "name"),
        Arguments.of("{\"name\":\"a/b\",\"value\":\"v\"}", "name"),
        Arguments.of("{\"name\":\"" + "a".repeat(254) + "\",\"value\":\"v\"}", "name"),
        Arguments.of("{\"name\":42,\"value\":\"v\"}", "name"),
        Arguments.of("{\"name\":\"ok\"}", "value"),
        Arguments.of("{\"name\":\"ok\",\"value\":7}", "value"),
        Arguments.of("{\"name\":\"ok\",\"rawValue\":\"not base64!\"}", "rawValue"),
        Arguments.of("{\"name\":\"ok\",\"value\":\"v\",\"rawValue\":\"dg==\"}", "value"),
        Arguments.of("{\"name\":\"ok\",\"value\":\"" + "x".repeat(512 * 1024 + 1) + "\"}", "value"),
        Arguments.of("{\"name\":\"ok\",\"value\":\"v\",\"namespace\":\"elsewhere\"}", "namespace"),
        Arguments.of("{\"name\":\"ok\",\"value\":\"v\"", "JSON"),
        Arguments.of("", "empty"));
  }

  @ParameterizedTest(name = "{index}: names {1}")
  @MethodSource("badBodies")
  void badBodiesAre400NamingTheField(String body, String named) throws Exception {
    Api api = NODE.api();
    for (String method : new String[] {"POST", "PUT"}) {
      HttpResponse<String> r = api.system(method, "/system/secrets", body);
      assertThat(r.statusCode()).as(method + " " + r.body()).isEqualTo(400);
      assertThat(r.body()).contains(named).doesNotContain("\tat ").doesNotContain("Exception");
    }
  }
}
