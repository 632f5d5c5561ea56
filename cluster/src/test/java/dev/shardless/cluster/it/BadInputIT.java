package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Client mistakes get a 4xx whose message names the field; never a 500 or a stack trace. */
class BadInputIT {
  @RegisterExtension static final RunningNode NODE = new RunningNode();

  static Stream<Arguments> badDeployments() {
    String cmd = "\"envProcess\":\"python3 x.py\"";
    return Stream.of(
        Arguments.of("{\"service\":\"Bad_Name\",\"image\":\"i\"," + cmd + "}", "service"),
        Arguments.of("{\"service\":\"" + "a".repeat(64) + "\",\"image\":\"i\"," + cmd + "}", "63"),
        Arguments.of("{\"service\":\"-x\",\"image\":\"i\"," + cmd + "}", "service"),
        Arguments.of("{\"image\":\"i\"," + cmd + "}", "service"),
        Arguments.of("{\"service\":\"ok\"," + cmd + "}", "image"),
        Arguments.of("{\"service\":\"ok\",\"image\":\"i\"}", "envProcess"),
        Arguments.of("{\"service\":\"ok\",\"image\":\"i\"," + cmd, "JSON"),
        Arguments.of("[1,2]", "object"),
        Arguments.of("", "empty"),
        Arguments.of("{\"service\":42,\"image\":\"i\"," + cmd + "}", "service"),
        Arguments.of("{\"service\":\"ok\",\"image\":\"i\"," + cmd + ",\"envVars\":[]}", "envVars"),
        Arguments.of(
            "{\"service\":\"ok\",\"image\":\"i\"," + cmd + ",\"labels\":{\"a\":1}}", "labels.a"),
        Arguments.of(
            "{\"service\":\"ok\",\"image\":\"i\"," + cmd + ",\"secrets\":\"s\"}", "secrets"),
        Arguments.of(
            "{\"service\":\"ok\",\"image\":\"i\"," + cmd + ",\"readOnlyRootFilesystem\":\"yes\"}",
            "readOnlyRootFilesystem"),
        Arguments.of(
            "{\"service\":\"ok\",\"image\":\"i\"," + cmd + ",\"limits\":{\"memory\":128}}",
            "limits.memory"),
        Arguments.of(
            "{\"service\":\"ok\",\"image\":\"i\","
                + cmd
                + ",\"labels\":{\"com.openfaas.scale.min\":\"lots\"}}",
            "com.openfaas.scale.min"),
        Arguments.of(
            "{\"service\":\"ok\",\"image\":\"i\","
                + cmd
                + ",\"labels\":{\"com.openfaas.scale.min\":\"5\",\"com.openfaas.scale.max\":\"2\"}}",
            "com.openfaas.scale.min"),
        Arguments.of(
            "{\"service\":\"ok\",\"image\":\"i\","
                + cmd
                + ",\"labels\":{\"shardless.keepalive\":\"smart\"}}",
            "labels.shardless.keepalive"),
        Arguments.of(
            "{\"service\":\"ok\",\"image\":\"i\"," + cmd + ",\"envVars\":{\"max_inflight\":\"x\"}}",
            "max_inflight"),
        Arguments.of(
            "{\"service\":\"ok\",\"image\":\"i\","
                + cmd
                + ",\"envVars\":{\"exec_timeout\":\"soon\"}}",
            "exec_timeout"),
        Arguments.of(
            "{\"service\":\"ok\",\"image\":\"i\"," + cmd + ",\"namespace\":\"elsewhere\"}",
            "namespace"));
  }

  @ParameterizedTest
  @MethodSource("badDeployments")
  void badDeploymentIs400NamingTheField(String body, String named) throws Exception {
    for (String method : new String[] {"POST", "PUT"}) {
      HttpResponse<String> r = NODE.api().system(method, "/system/functions", body);
      assertThat(r.statusCode()).as(method + " " + r.body()).isEqualTo(400);
      assertThat(r.body()).contains(named).doesNotContain("\tat ").doesNotContain("Exception");
    }
  }

  @Test
  void badScaleAndDeleteBodiesAre400() throws Exception {
    assertThat(NODE.api().system("POST", "/system/scale-function/x", "{\"replicas\":-1}").body())
        .contains("replicas");
    assertThat(
            NODE.api()
                .system("POST", "/system/scale-function/x", "{\"replicas\":\"two\"}")
                .statusCode())
        .isEqualTo(400);
    assertThat(NODE.api().system("POST", "/system/scale-function/x", "{}").statusCode())
        .isEqualTo(400);
    HttpResponse<String> del =
        NODE.api().system("DELETE", "/system/functions", "{\"namespace\":\"openfaas-fn\"}");
    assertThat(del.statusCode()).isEqualTo(400);
    assertThat(del.body()).contains("functionName");
    assertThat(NODE.api().system("GET", "/system/functions?namespace=nowhere", null).statusCode())
        .isEqualTo(400);
  }

  @Test
  void wrongCredentialsAre401WithAChallenge() throws Exception {
    HttpResponse<String> wrong =
        NODE.api().system("GET", "/system/functions", null, NodeProcess.USER, "not-the-password");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Basic realm="));
    HttpResponse<String> none = NODE.api().system("GET", "/system/info", null, null, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(NODE.api().invoke("GET", "/healthz", null).statusCode())
        .as("auth covers /system/* only")
        .isEqualTo(200);
  }

  @Test
  void oversizedSystemBodyIs413() throws Exception {
    String huge = "{\"service\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
    HttpResponse<String> r = NODE.api().system("POST", "/system/functions", huge);
    assertThat(r.statusCode()).isEqualTo(413);
  }

  @Test
  void unknownSystemPathAndWrongMethodAreClientErrors() throws Exception {
    assertThat(NODE.api().system("GET", "/system/nothing-here", null).statusCode()).isEqualTo(404);
    assertThat(NODE.api().system("PATCH", "/system/functions", "{}").statusCode())
        .isBetween(400, 499);
  }

  @Test
  void functionThatCannotStartGives503WithTheReason() throws Exception {
    HttpResponse<String> deploy =
        NODE.api()
            .system(
                "POST",
                "/system/functions",
                "{\"service\":\"broken\",\"image\":\"i\",\"envProcess\":\"no-such-command-xyz\","
                    + "\"envVars\":{\"mode\":\"http\"}}");
    assertThat(deploy.statusCode()).isEqualTo(202);
    HttpResponse<String> r = NODE.api().invoke("GET", "/function/broken", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(r.body()).contains("broken");
  }
}
