package dev.shardless.invoker.local;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * The CGI-style variables the OpenFaaS classic watchdog gives each fork (DESIGN.md §2). Example:
 * {@code POST /a/b?x=1} with {@code x-forwarded-for: 10.0.0.1} and a 5-byte JSON body gives {@code
 * Http_Method=POST}, {@code Http_Path=/a/b}, {@code Http_Query=x=1}, {@code Http_ContentLength=5},
 * {@code Http_Content_Type=application/json}, {@code Http_X_Forwarded_For=10.0.0.1}. Header names
 * are canonicalised like Go's ({@code x-forwarded-for} → {@code X-Forwarded-For}); repeated headers
 * are joined with ", "; {@code Http_ContentLength} is -1 when unknown (chunked), like Go's {@code
 * Request.ContentLength}.
 */
final class ClassicEnvironment {
  /** Headers that Go's server does not put in {@code Request.Header}, or that Pekko synthesises. */
  private static final Set<String> SKIPPED = Set.of("host", "timeout-access", "remote-address");

  private ClassicEnvironment() {}

  static Map<String, String> of(HttpRequest request) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("Http_Method", request.method().name());
    request.getUri().rawQueryString().ifPresent(q -> env.put("Http_Query", q));
    env.put("Http_Path", request.getUri().path());
    env.put(
        "Http_ContentLength", Long.toString(request.entity().getContentLengthOption().orElse(-1L)));
    ContentType type = request.entity().getContentType();
    if (!type.equals(ContentTypes.NO_CONTENT_TYPE)) {
      env.put("Http_Content_Type", type.toString());
    }
    for (HttpHeader h : request.getHeaders()) {
      if (!SKIPPED.contains(h.lowercaseName())) {
        env.merge(variable(h.name()), h.value(), (a, b) -> a + ", " + b);
      }
    }
    return env;
  }

  /** {@code x-forwarded-for} → {@code Http_X_Forwarded_For}. */
  static String variable(String headerName) {
    StringBuilder b = new StringBuilder("Http_");
    boolean upper = true;
    for (char c : headerName.toCharArray()) {
      if (c == '-') {
        b.append('_');
        upper = true;
      } else {
        b.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
        upper = false;
      }
    }
    return b.toString();
  }
}
