package dev.shardless.cluster.gateway;

import dev.shardless.persistence.async.JobHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;

/**
 * Conversions between stored job messages ({@link JobHeader}s and bytes) and Pekko HTTP's model,
 * where {@code Content-Type} and {@code Content-Length} live on the entity, not among the headers.
 */
final class Messages {
  private Messages() {}

  /** A body read up to a limit: {@code truncated} when more followed and was dropped. */
  record Body(byte[] bytes, boolean truncated) {}

  /** A request with {@code headers} (a {@code Content-Type} among them types the body). */
  static HttpRequest request(String method, String uri, List<JobHeader> headers, byte[] body) {
    ContentType type = ContentTypes.APPLICATION_OCTET_STREAM;
    List<HttpHeader> plain = new ArrayList<>(headers.size());
    for (JobHeader h : headers) {
      switch (h.name().toLowerCase(java.util.Locale.ROOT)) {
        case "content-type" -> type = parseType(h.value());
        case "content-length", "transfer-encoding", "host" -> {}
        default -> plain.add(RawHeader.create(h.name(), h.value()));
      }
    }
    return HttpRequest.create(uri)
        .withMethod(HttpMethods.lookup(method).orElse(HttpMethods.POST))
        .withHeaders(plain)
        .withEntity(HttpEntities.create(type, body));
  }

  private static ContentType parseType(String value) {
    try {
      return ContentTypes.parse(value);
    } catch (RuntimeException e) {
      return ContentTypes.APPLICATION_OCTET_STREAM;
    }
  }

  /** {@code headers} with {@code X-Call-Id: callId} added. */
  static List<JobHeader> withCallId(List<JobHeader> headers, String callId) {
    List<JobHeader> out = new ArrayList<>(headers.size() + 1);
    out.addAll(headers);
    out.add(new JobHeader(InvokeHandler.CALL_ID, callId));
    return out;
  }

  /** A response's end-to-end headers plus its {@code Content-Type}, as stored with a result. */
  static List<JobHeader> headersOf(HttpResponse response) {
    List<JobHeader> out = new ArrayList<>();
    for (HttpHeader h : response.getHeaders()) {
      switch (h.lowercaseName()) {
        case "connection",
            "keep-alive",
            "transfer-encoding",
            "te",
            "trailer",
            "upgrade",
            "date",
            "server" -> {}
        default -> out.add(new JobHeader(h.name(), h.value()));
      }
    }
    if (!response.entity().isKnownEmpty()) {
      out.add(new JobHeader("Content-Type", response.entity().getContentType().toString()));
    }
    return out;
  }

  /**
   * Reads {@code entity} to its end, keeping at most {@code max} bytes (the rest is read and
   * dropped, so the pooled connection stays usable).
   */
  static CompletionStage<Body> readUpTo(
      HttpEntity entity, long max, ClassicActorSystemProvider system) {
    return entity
        .getDataBytes()
        .runWith(
            Sink.<Acc, ByteString>fold(new Acc(max), Acc::add), Materializer.matFromSystem(system))
        .thenApply(Acc::body);
  }

  /** Mutable accumulator for one read: only its own stream touches it. */
  private static final class Acc {
    private final long max;
    private ByteString kept = ByteString.emptyByteString();
    private boolean truncated;

    Acc(long max) {
      this.max = max;
    }

    Acc add(ByteString chunk) {
      long room = max - kept.size();
      if (chunk.size() <= room) {
        kept = kept.concat(chunk);
      } else {
        if (room > 0) {
          kept = kept.concat(chunk.take((int) room));
        }
        truncated = true;
      }
      return this;
    }

    Body body() {
      return new Body(kept.toArray(), truncated);
    }
  }
}
