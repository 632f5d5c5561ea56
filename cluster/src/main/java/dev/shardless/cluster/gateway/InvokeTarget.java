package dev.shardless.cluster.gateway;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpecValidator;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * The function and sub-path named by an invoke path {@code /function/{name}[.{namespace}][/{path}]}
 * (the prefix already removed).
 *
 * @param path the rest of the path as received (still percent-encoded), at least {@code "/"}
 */
record InvokeTarget(FunctionId function, String path) {

  /**
   * Parses {@code rest} = {@code name[.namespace][/path]}; null when the name or namespace is not a
   * valid DNS label (no such function can exist).
   */
  static InvokeTarget parse(String rest, String defaultNamespace) {
    int slash = rest.indexOf('/');
    String head = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "/" : rest.substring(slash);
    int dot = head.indexOf('.');
    String name = dot < 0 ? head : head.substring(0, dot);
    String namespace = dot < 0 ? defaultNamespace : head.substring(dot + 1);
    if (!FunctionSpecValidator.isDnsLabel(name) || !FunctionSpecValidator.isDnsLabel(namespace)) {
      return null;
    }
    return new InvokeTarget(new FunctionId(namespace, name), path);
  }

  /**
   * The answer, synchronous or async alike, to a {@code rest} that {@link #parse} refuses: 404, as
   * for any function that does not exist.
   */
  static HttpResponse notFound(String rest) {
    return Responses.text(404, "function not found: '" + rest + "' is not a valid function name");
  }
}
