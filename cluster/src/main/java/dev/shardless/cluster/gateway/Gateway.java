package dev.shardless.cluster.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shardless.persistence.async.AsyncSettings;
import dev.shardless.persistence.registry.RegistryCatalog;
import dev.shardless.persistence.secrets.SecretCatalog;
import dev.shardless.persistence.secrets.SecretsSettings;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.function.Function;

/**
 * The HTTP front door. Invocations take a direct path to {@link InvokeHandler} (sync) or {@link
 * AsyncHandler} (async) without the routing DSL (the hot paths); {@code /system/*} goes through
 * {@link SystemApi}'s routes, the dashboard's files ({@code /ui/}) through {@link UiRoutes}.
 */
public final class Gateway {
  private static final String FUNCTION_PREFIX = "/function/";
  private static final String ASYNC_PREFIX = "/async-function/";
  private static final CompletionStage<HttpResponse> HEALTHY =
      CompletableFuture.completedFuture(Responses.text(200, "OK"));

  private final InvokeHandler invoke;
  private final AsyncHandler async;
  private final Function<HttpRequest, CompletionStage<HttpResponse>> routes;
  private final ActorSystem<?> system;

  public Gateway(
      ActorSystem<?> system,
      RegistryCatalog registry,
      FunctionWrites writes,
      GatewaySettings settings,
      AsyncSettings asyncSettings,
      AdminCredentials credentials,
      List<String> namespaces,
      boolean requireEnvProcess,
      ObjectNode info,
      SecretCatalog secrets,
      SecretMirror secretMirror,
      SecretsSettings secretsSettings,
      ReplicaConfinement confinement,
      GatewayMetrics metrics,
      LogSource logs) {
    this.system = system;
    LiveStats live = new LiveStats();
    SlotHolder slots = settings.slotHolder(system);
    metrics.watch(slots);
    // After the HTTP server has drained (service-requests-done), before shards hand off: the
    // entities elsewhere get this node's held slots back instead of waiting for it to leave.
    CoordinatedShutdown.get(Adapter.toClassic(system))
        .addTask(
            CoordinatedShutdown.PhaseServiceStop(), "shardless-give-back-held-slots", slots::close);
    this.invoke =
        new InvokeHandler(system, namespaces.get(0), settings.leases(), slots, metrics, live);
    this.async = new AsyncHandler(system, namespaces.get(0), asyncSettings);
    SystemApi api =
        new SystemApi(
            system,
            registry,
            writes,
            settings,
            credentials,
            namespaces,
            requireEnvProcess,
            info,
            secrets,
            secretMirror,
            secretsSettings.maxValueBytes(),
            confinement,
            new LiveFeed(system, registry, settings.statusTimeout(), live),
            logs);
    this.routes = api.concat(api.route(), new UiRoutes().route()).handler(system);
  }

  /** Binds the gateway on {@code host:port} (port 0 picks a free one). */
  public CompletionStage<ServerBinding> bind(String host, int port) {
    return Http.get(system).newServerAt(host, port).bind(this::handle);
  }

  private CompletionStage<HttpResponse> handle(HttpRequest request) throws Exception {
    String path = request.getUri().path();
    if (path.startsWith(FUNCTION_PREFIX)) {
      return invoke.invoke(request, path.substring(FUNCTION_PREFIX.length()));
    }
    if (path.startsWith(ASYNC_PREFIX)) {
      return async.accept(request, path.substring(ASYNC_PREFIX.length()));
    }
    if (path.equals("/healthz")) {
      request.discardEntityBytes(system);
      return HEALTHY;
    }
    return routes.apply(request);
  }
}
