package dev.shardless.loadtest;

import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * What every Shardless simulation shares: the target and credentials ({@link LoadSettings}), the
 * HTTP protocol, deploying its functions before the load and deleting them after, and the limits it
 * asserts.
 *
 * <p>Limits, for every simulation: {@code shardless.maxFailedPercent} (default 1) of all requests
 * may fail, and the 99th percentile of the response time of the measured requests must stay under
 * {@code shardless.p99Ms} (each simulation has its own default). A run that breaks either fails the
 * Maven build; the HTML report is written either way.
 */
public abstract class ShardlessSimulation extends Simulation {

  /** Deploys and replica starts (and scale-downs) must be done within this, or the run stops. */
  static final Duration SETUP_TIMEOUT = Duration.ofSeconds(120);

  /** Functions whose replicas should all be ready: at least one. */
  static final IntPredicate SERVING = n -> n >= 1;

  protected final LoadSettings settings = LoadSettings.fromEnvironment();
  protected final AdminApi admin = new AdminApi(settings);

  /**
   * One connection pool shared by all virtual users, as a client library or another service calling
   * functions would have: open-model users each doing one call would otherwise open a connection
   * each.
   */
  protected final HttpProtocolBuilder protocol =
      http.baseUrl(settings.url())
          .shareConnections()
          .userAgentHeader("shardless-loadtest")
          .acceptHeader("*/*");

  private final List<String> deployed = new ArrayList<>();

  /**
   * Deploys {@code names} (unless {@code shardless.deploy=false}: then they must exist) and waits
   * until each one's ready replica count satisfies {@code ready}.
   */
  protected void deployFunctions(
      List<String> names, Map<String, String> labels, IntPredicate ready) {
    if (settings.deploy()) {
      for (String name : names) {
        admin.deploy(name, labels);
        deployed.add(name);
      }
    }
    admin.awaitReplicas(names, ready, SETUP_TIMEOUT);
  }

  /** Deletes the functions this run deployed. */
  @Override
  public void after() {
    for (String name : deployed) {
      admin.delete(name);
    }
  }

  /**
   * Runs {@code population} with the shared protocol and limits. {@code p99Of} is the assertion
   * path of the requests whose p99 is limited ({@code global()} or {@code details(name)}); the run
   * is cut at {@code maxDuration} whatever happens.
   */
  protected void run(
      PopulationBuilder population,
      Assertion.WithPath p99Of,
      int defaultP99Ms,
      Duration maxDuration) {
    double maxFailed = LoadSettings.decimal("maxFailedPercent", 1.0);
    int p99Ms = LoadSettings.integer("p99Ms", defaultP99Ms);
    setUp(population)
        .protocols(protocol)
        .maxDuration(maxDuration)
        .assertions(
            global().failedRequests().percent().lte(maxFailed),
            p99Of.responseTime().percentile(99.0).lte(p99Ms));
  }

  /** A duration setting in whole seconds. */
  protected static Duration seconds(String key, int fallback) {
    return Duration.ofSeconds(LoadSettings.integer(key, fallback));
  }

  /** Labels that pin a function to exactly {@code replicas} replicas (no autoscaling). */
  protected static Map<String, String> pinned(int replicas) {
    String n = Integer.toString(replicas);
    return Map.of("com.openfaas.scale.min", n, "com.openfaas.scale.max", n);
  }
}
