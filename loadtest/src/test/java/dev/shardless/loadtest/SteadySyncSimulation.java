package dev.shardless.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import java.time.Duration;
import java.util.List;

/**
 * Steady synchronous load: one function with a fixed number of replicas, called at a constant
 * arrival rate (open model, so a slow gateway sees requests pile up instead of slowing the load
 * down).
 *
 * <p>Settings (besides {@link LoadSettings}): {@code function} (default {@code gatling-steady}),
 * {@code replicas} (1), {@code rate} calls per second (200), {@code duration} seconds at that rate
 * after a 5 s ramp (30), {@code p99Ms} (100). At the defaults: 6,500 calls in 35 s.
 */
public class SteadySyncSimulation extends ShardlessSimulation {

  private final String function = LoadSettings.text("function", "gatling-steady");
  private final int replicas = LoadSettings.integer("replicas", 1);

  public SteadySyncSimulation() {
    double rate = LoadSettings.decimal("rate", 200);
    Duration duration = seconds("duration", 30);
    Duration ramp = Duration.ofSeconds(5);
    ScenarioBuilder calls =
        scenario("steady sync")
            .exec(http("invoke").get("/function/" + function).check(status().is(200)));
    run(
        calls.injectOpen(
            rampUsersPerSec(1).to(rate).during(ramp), constantUsersPerSec(rate).during(duration)),
        global(),
        100,
        ramp.plus(duration).plusSeconds(60));
  }

  @Override
  public void before() {
    deployFunctions(List.of(function), pinned(replicas), n -> n >= replicas);
  }
}
