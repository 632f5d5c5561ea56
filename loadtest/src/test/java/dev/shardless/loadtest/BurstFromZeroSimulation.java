package dev.shardless.loadtest;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import java.util.List;
import java.util.Map;

/**
 * A burst from zero: the function is scaled to zero replicas and left there until none runs, then
 * many users arrive at the same instant, each making a few calls in a row. The first calls wait for
 * the cold start (the gateway buffers them); the report shows how long, and whether any failed.
 *
 * <p>Settings (besides {@link LoadSettings}): {@code function} (default {@code gatling-burst}),
 * {@code users} arriving at once (200), {@code requests} per user (5), {@code maxReplicas} the
 * autoscaler may start (4), {@code p99Ms} (5000: the cold start is in the measured time). At the
 * defaults: 1,000 calls.
 */
public class BurstFromZeroSimulation extends ShardlessSimulation {

  private final String function = LoadSettings.text("function", "gatling-burst");

  public BurstFromZeroSimulation() {
    int users = LoadSettings.integer("users", 200);
    int requests = LoadSettings.integer("requests", 5);
    ScenarioBuilder burst =
        scenario("burst from zero")
            .repeat(requests)
            .on(exec(http("invoke").get("/function/" + function).check(status().is(200))));
    run(burst.injectOpen(atOnceUsers(users)), global(), 5000, SETUP_TIMEOUT);
  }

  @Override
  public void before() {
    String max = Integer.toString(LoadSettings.integer("maxReplicas", 4));
    Map<String, String> labels =
        Map.of(
            "com.openfaas.scale.min", "0",
            "com.openfaas.scale.max", max,
            "com.openfaas.scale.zero", "true");
    List<String> names = List.of(function);
    deployFunctions(names, labels, n -> true);
    admin.scale(function, 0);
    admin.awaitReplicas(names, n -> n == 0, SETUP_TIMEOUT);
  }
}
