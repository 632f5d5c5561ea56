package dev.shardless.cluster.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shardless.invoker.logs.LogFormat;
import dev.shardless.invoker.logs.LogLine;
import dev.shardless.invoker.logs.LogReader;
import dev.shardless.scheduler.model.FunctionId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code GET /system/logs} (OpenFaaS provider contract): the lines of every replica of one
 * function, stopped replicas included, as {@code application/x-ndjson} objects {@code
 * {name,namespace,instance,timestamp,text}} ordered by time, read from a {@link LogSource}: on the
 * local platform this node's {@code <data-dir>/logs} (local-process replicas run on the node that
 * serves the gateway call in a single-node set-up; in a cluster each node holds the logs of the
 * replicas it ran), on Kubernetes the function pods' container logs through the API server.
 *
 * <p>{@code follow=true}: after the selected history, a chunked response that polls the source on
 * the actor system's scheduler ({@code Source.tick}) every {@link LogSource#followPollInterval()},
 * reading on the blocking-IO dispatcher; no thread waits per follower. When the client disconnects,
 * Pekko HTTP cancels the stream and the polling stops. No state survives a restart: a follower
 * simply reconnects.
 */
final class LogsApi extends AllDirectives {
  private static final ContentType NDJSON =
      ContentTypes.create(MediaTypes.applicationWithFixedCharset("x-ndjson", HttpCharsets.UTF_8));

  private final LogSource source;
  private final Executor blocking;
  private final Executor ec;

  LogsApi(ActorSystem<?> system, LogSource source) {
    this.source = source;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    this.ec = system.executionContext();
  }

  /**
   * The route; {@code withFunction} resolves a name (and {@code ?namespace=}) to a deployed
   * function or answers 404.
   */
  Route route(
      BiFunction<String, Function<FunctionId, CompletionStage<HttpResponse>>, Route> withFunction) {
    return parameterMap(
        params -> {
          LogQuery query;
          try {
            query = LogQuery.parse(params);
          } catch (BadRequest e) {
            return complete(Responses.badRequest(e));
          }
          return withFunction.apply(query.name(), id -> logs(id, query));
        });
  }

  private CompletionStage<HttpResponse> logs(FunctionId id, LogQuery query) {
    LogSource.Cursor reader = source.open(id, query.instance(), query.since(), query.tail());
    return CompletableFuture.supplyAsync(() -> poll(reader), blocking)
        .thenApplyAsync(
            all -> {
              List<LogLine> history = LogReader.select(all, query.since(), query.tail());
              if (!query.follow()) {
                ByteString body = ByteString.emptyByteString();
                for (LogLine l : history) {
                  body = body.concat(ndjson(id, l));
                }
                return HttpResponse.create().withEntity(HttpEntities.create(NDJSON, body));
              }
              Source<ByteString, NotUsed> lines =
                  Source.from(history).concat(follow(reader)).map(l -> ndjson(id, l));
              return HttpResponse.create().withEntity(HttpEntities.createChunked(NDJSON, lines));
            },
            ec);
  }

  /** New lines as they are written, polled on the scheduler until the stream is cancelled. */
  private Source<LogLine, NotUsed> follow(LogSource.Cursor reader) {
    return Source.tick(source.followPollInterval(), source.followPollInterval(), NotUsed.notUsed())
        .mapAsync(1, tick -> CompletableFuture.supplyAsync(() -> poll(reader), blocking))
        .mapConcat(l -> l)
        .mapMaterializedValue(c -> NotUsed.notUsed());
  }

  private static List<LogLine> poll(LogSource.Cursor reader) {
    try {
      return reader.poll();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ByteString ndjson(FunctionId id, LogLine line) {
    ObjectNode o = FunctionJson.MAPPER.createObjectNode();
    o.put("name", id.name());
    o.put("namespace", id.namespace());
    o.put("instance", line.instance());
    o.put("timestamp", LogFormat.rfc3339(line.timestamp()));
    o.put("text", line.text());
    return ByteString.fromString(o.toString() + "\n");
  }
}
