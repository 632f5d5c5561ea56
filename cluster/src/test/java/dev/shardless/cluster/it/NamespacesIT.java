package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Namespaces on a real node ({@code SHARDLESS_NAMESPACES=openfaas-fn,team-a}): every function lives
 * in one, is invoked as {@code name.namespace}, and is listed only in its own.
 */
class NamespacesIT {
  @RegisterExtension
  static final RunningNode NODE =
      new RunningNode(Map.of("SHARDLESS_NAMESPACES", "openfaas-fn,team-a"));

  private static String inNamespace(String body, String namespace) {
    return body.replaceFirst("\\{", "{\"namespace\":\"" + namespace + "\",");
  }

  private static List<String> names(String namespace) throws Exception {
    HttpResponse<String> r =
        NODE.api().system("GET", "/system/functions?namespace=" + namespace, null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<String> names = new ArrayList<>();
    for (JsonNode f : Api.json(r)) {
      assertThat(f.get("namespace").asText()).isEqualTo(namespace);
      names.add(f.get("name").asText());
    }
    return names;
  }

  @Test
  void theConfiguredNamespacesAreListedDefaultFirst() throws Exception {
    HttpResponse<String> r = NODE.api().system("GET", "/system/namespaces", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Api.json(r).toString()).isEqualTo("[\"openfaas-fn\",\"team-a\"]");
  }

  @Test
  void aNamespacedFunctionIsInvokedAsNameDotNamespaceAndListedOnlyInItsNamespace()
      throws Exception {
    HttpResponse<String> deployed =
        NODE.api()
            .system(
                "POST",
                "/system/functions",
                inNamespace(Api.probe("only-a", "\"GREETING\":\"from a\"", ""), "team-a"));
    assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(202);

    assertThat(names("team-a")).contains("only-a");
    assertThat(names("openfaas-fn")).doesNotContain("only-a");

    HttpResponse<String> invoked = NODE.api().invoke("GET", "/function/only-a.team-a/x", null);
    assertThat(invoked.statusCode()).as(invoked.body()).isEqualTo(200);
    assertThat(Api.json(invoked).get("greeting").asText()).isEqualTo("from a");
    assertThat(NODE.api().invoke("GET", "/function/only-a", null).statusCode())
        .as("not in the default namespace")
        .isEqualTo(404);
    assertThat(
            NODE.api().system("GET", "/system/function/only-a?namespace=team-a", null).statusCode())
        .isEqualTo(200);
    assertThat(NODE.api().system("GET", "/system/function/only-a", null).statusCode())
        .isEqualTo(404);
    assertThat(NODE.api().async("only-a.team-a", "x").statusCode()).isEqualTo(202);
  }

  @Test
  void theSameNameInTwoNamespacesIsTwoFunctions() throws Exception {
    for (String ns : List.of("openfaas-fn", "team-a")) {
      HttpResponse<String> r =
          NODE.api()
              .system(
                  "POST",
                  "/system/functions",
                  inNamespace(Api.probe("twin", "\"GREETING\":\"" + ns + "\"", ""), ns));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    }
    assertThat(Api.json(NODE.api().invoke("GET", "/function/twin", null)).get("greeting").asText())
        .isEqualTo("openfaas-fn");
    assertThat(
            Api.json(NODE.api().invoke("GET", "/function/twin.team-a", null))
                .get("greeting")
                .asText())
        .isEqualTo("team-a");
  }

  @Test
  void anUnknownNamespaceIsA400OnSystemCallsAndA404WhenInvoking() throws Exception {
    HttpResponse<String> list = NODE.api().system("GET", "/system/functions?namespace=nope", null);
    assertThat(list.statusCode()).isEqualTo(400);
    assertThat(list.body()).contains("namespace").contains("nope");
    HttpResponse<String> deploy =
        NODE.api()
            .system("POST", "/system/functions", inNamespace(Api.probe("lost", "", ""), "nope"));
    assertThat(deploy.statusCode()).isEqualTo(400);
    assertThat(deploy.body()).contains("namespace");
    assertThat(NODE.api().invoke("GET", "/function/lost.nope", null).statusCode()).isEqualTo(404);
    assertThat(NODE.api().async("lost.nope", "x").statusCode()).isEqualTo(404);
  }
}
