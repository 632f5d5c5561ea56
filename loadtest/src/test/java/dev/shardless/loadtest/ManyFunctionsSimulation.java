package dev.shardless.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Many functions at once: deploys {@code functions} functions with one replica each through {@code
 * /system/functions}, then spreads a constant arrival rate over them uniformly at random. The
 * report has one line per function ({@code invoke <name>}).
 *
 * <p>Settings (besides {@link LoadSettings}): {@code functionPrefix} (default {@code gatling-many};
 * the functions are {@code <prefix>-0} …), {@code functions} (20), {@code rate} calls per second
 * over all of them (200), {@code duration} seconds at that rate after a 5 s ramp (30), {@code
 * p99Ms} (200). At the defaults: 6,500 calls.
 */
public class ManyFunctionsSimulation extends ShardlessSimulation {

  private final List<String> functions;

  public ManyFunctionsSimulation() {
    String prefix = LoadSettings.text("functionPrefix", "gatling-many");
    functions =
        IntStream.range(0, LoadSettings.integer("functions", 20))
            .mapToObj(i -> prefix + "-" + i)
            .toList();
    double rate = LoadSettings.decimal("rate", 200);
    Duration duration = seconds("duration", 30);
    Duration ramp = Duration.ofSeconds(5);
    Iterator<Map<String, Object>> anyFunction =
        Stream.generate(
                () ->
                    Map.<String, Object>of(
                        "fn", functions.get(ThreadLocalRandom.current().nextInt(functions.size()))))
            .iterator();
    ScenarioBuilder calls =
        scenario("many functions")
            .feed(anyFunction)
            .exec(http("invoke #{fn}").get("/function/#{fn}").check(status().is(200)));
    run(
        calls.injectOpen(
            rampUsersPerSec(1).to(rate).during(ramp), constantUsersPerSec(rate).during(duration)),
        global(),
        200,
        ramp.plus(duration).plus(SETUP_TIMEOUT));
  }

  @Override
  public void before() {
    deployFunctions(functions, pinned(1), SERVING);
  }
}
