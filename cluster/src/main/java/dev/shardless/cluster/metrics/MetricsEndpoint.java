package dev.shardless.cluster.metrics;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;
import kamon.Kamon;
import kamon.prometheus.PrometheusReporter;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import scala.jdk.javaapi.FutureConverters;

/**
 * Starts Kamon with a Prometheus reporter and serves its scrape data at {@code GET /metrics} on
 * {@code shardless.metrics.host:port} with Pekko HTTP, and stops both in coordinated shutdown.
 *
 * <p>The reporter's own embedded server (which binds 0.0.0.0 by default and does not reveal a port
 * picked from 0) and Kamon's status page (0.0.0.0:5266) are switched off in {@code
 * shardless-node.conf}. Kamon never attaches the Kanela agent at run time: the Pekko and Pekko HTTP
 * instrumentation of the Kamon bundle is active only when the JVM was started with {@code
 * -javaagent:kanela-agent.jar} (the launcher does, docs/observability.md), which Kanela's own
 * documentation recommends over attaching late.
 *
 * <p>Kamon is a JVM-wide singleton: one node per JVM.
 */
public final class MetricsEndpoint {
  private MetricsEndpoint() {}

  /**
   * Initialises Kamon with the node's configuration and adds the Prometheus reporter. Called before
   * the actor system starts, so that the agent's Pekko instrumentation (when attached) sees the
   * node's filters from the first actor on.
   */
  public static PrometheusReporter init(Config nodeConfig, MetricsSettings settings) {
    String dispatchers =
        settings.actorMetrics()
            ? ""
            : "kamon.instrumentation.pekko.filters.dispatchers { includes = [], excludes = [\"**\"] }\n";
    Config config =
        ConfigFactory.parseString(
                dispatchers
                    + "kamon.metric.tick-interval = "
                    + settings.tickInterval().toMillis()
                    + "ms")
            .withFallback(nodeConfig);
    Kamon.initWithoutAttaching(config);
    PrometheusReporter reporter = new PrometheusReporter("kamon.prometheus", config);
    Kamon.addReporter("shardless-prometheus", reporter);
    return reporter;
  }

  /**
   * Binds the endpoint for {@code reporter} (from {@link #init}); completes with the bound address.
   * Kamon is stopped in coordinated shutdown's {@code before-actor-system-terminate} phase.
   */
  public static CompletionStage<InetSocketAddress> start(
      ActorSystem<?> system, MetricsSettings settings, PrometheusReporter reporter) {
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "shardless-kamon",
            () -> FutureConverters.asJava(Kamon.stop()).thenApply(u -> Done.done()));
    CompletionStage<ServerBinding> bound =
        Http.get(system)
            .newServerAt(settings.host(), settings.port())
            .bindSync(
                (org.apache.pekko.japi.function.Function<HttpRequest, HttpResponse>)
                    request -> answer(system, request, reporter));
    return bound.thenApply(
        binding -> {
          binding.addToCoordinatedShutdown(java.time.Duration.ofSeconds(5), system);
          return binding.localAddress();
        });
  }

  /** {@code GET /metrics}: the Prometheus text format of the last published snapshot. */
  private static HttpResponse answer(
      ActorSystem<?> system, HttpRequest request, PrometheusReporter reporter) {
    request.discardEntityBytes(system);
    if (!request.getUri().path().equals("/metrics")) {
      return HttpResponse.create().withStatus(404);
    }
    if (!request.method().equals(HttpMethods.GET)) {
      return HttpResponse.create().withStatus(405);
    }
    return HttpResponse.create()
        .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, reporter.scrapeData()));
  }
}
