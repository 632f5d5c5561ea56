package dev.shardless.cluster.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * Responses the gateway makes itself. Errors are short plain text, like the OpenFaaS gateway's, and
 * never carry a stack trace.
 */
final class Responses {
  private Responses() {}

  static HttpResponse text(int status, String message) {
    return HttpResponse.create()
        .withStatus(StatusCodes.get(status))
        .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, message + "\n"));
  }

  static HttpResponse json(int status, JsonNode body) {
    return HttpResponse.create()
        .withStatus(StatusCodes.get(status))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
  }

  static HttpResponse badRequest(BadRequest e) {
    return text(400, e.getMessage());
  }
}
