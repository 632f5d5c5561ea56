package dev.shardless.invoker.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClassicEnvironmentTest {

  @ParameterizedTest
  @CsvSource({
    "x-forwarded-for, Http_X_Forwarded_For",
    "Content-Type, Http_Content_Type",
    "X-CALL-ID, Http_X_Call_Id",
    "accept, Http_Accept"
  })
  void headerNamesBecomeGoStyleVariables(String header, String variable) {
    assertEquals(variable, ClassicEnvironment.variable(header));
  }

  @Test
  void describesMethodPathQueryLengthTypeAndHeaders() {
    HttpRequest request =
        HttpRequest.create("/a/b?x=1&y=%20")
            .withMethod(HttpMethods.POST)
            .withHeaders(
                List.of(
                    HttpHeader.parse("x-forwarded-for", "10.0.0.1"),
                    HttpHeader.parse("X-Tag", "a"),
                    HttpHeader.parse("X-Tag", "b")))
            .withEntity(ContentTypes.APPLICATION_JSON, "{\"a\":1}");

    Map<String, String> env = ClassicEnvironment.of(request);

    assertEquals("POST", env.get("Http_Method"));
    assertEquals("/a/b", env.get("Http_Path"));
    assertEquals("x=1&y=%20", env.get("Http_Query"));
    assertEquals("7", env.get("Http_ContentLength"));
    assertEquals("application/json", env.get("Http_Content_Type"));
    assertEquals("10.0.0.1", env.get("Http_X_Forwarded_For"));
    assertEquals("a, b", env.get("Http_X_Tag"));
  }

  @Test
  void leavesOutTheQueryWhenThereIsNone() {
    Map<String, String> env = ClassicEnvironment.of(HttpRequest.create("/plain"));

    assertFalse(env.containsKey("Http_Query"));
    assertFalse(env.containsKey("Http_Content_Type"));
    assertEquals("0", env.get("Http_ContentLength"));
  }
}
