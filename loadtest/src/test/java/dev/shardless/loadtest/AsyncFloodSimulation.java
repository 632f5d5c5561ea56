package dev.shardless.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jmesPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * An async flood: users {@code POST /async-function/{name}} at a constant rate, then each follows
 * its own job through {@code GET /system/async/{name}/calls/{callId}} (docs/api.md) until the job
 * is finished, and a last status call checks that it {@code succeeded}. A job that has not finished
 * within {@code maxWait} fails that last call.
 *
 * <p>Settings (besides {@link LoadSettings}): {@code function} (default {@code gatling-async}),
 * {@code rate} accepts per second (100), {@code duration} seconds (20), {@code pollMs} between
 * status calls (250), {@code maxWait} seconds a job may take (60), {@code p99Ms} for the accepts
 * (500). At the defaults: 2,000 jobs.
 */
public class AsyncFloodSimulation extends ShardlessSimulation {

  private static final Set<String> FINISHED =
      Set.of("succeeded", "failed", "dead-lettered", "cancelled");
  private static final String ACCEPT = "async accept";

  private final String function = LoadSettings.text("function", "gatling-async");

  public AsyncFloodSimulation() {
    double rate = LoadSettings.decimal("rate", 100);
    Duration duration = seconds("duration", 20);
    Duration poll = Duration.ofMillis(LoadSettings.integer("pollMs", 250));
    Duration maxWait = seconds("maxWait", 60);
    ScenarioBuilder jobs =
        scenario("async flood")
            .exec(
                http(ACCEPT)
                    .post("/async-function/" + function)
                    .body(StringBody(session -> "{\"user\":" + session.userId() + "}"))
                    .asJson()
                    .check(status().is(202), header("X-Call-Id").saveAs("callId")))
            .exitHereIfFailed()
            .exec(session -> session.set("state", "queued"))
            .asLongAsDuring(AsyncFloodSimulation::unfinished, maxWait)
            .on(pause(poll).exec(jobStatus("async status", false)))
            .exec(jobStatus("async result", true));
    run(
        jobs.injectOpen(constantUsersPerSec(rate).during(duration)),
        details(ACCEPT),
        500,
        duration.plus(maxWait).plusSeconds(60));
  }

  @Override
  public void before() {
    deployFunctions(List.of(function), pinned(1), SERVING);
  }

  private static boolean unfinished(Session session) {
    return !FINISHED.contains(session.getString("state"));
  }

  /** One job status call; {@code last}: the job must have succeeded. */
  private ChainBuilder jobStatus(String name, boolean last) {
    HttpRequestActionBuilder call =
        http(name)
            .get("/system/async/" + function + "/calls/#{callId}")
            .basicAuth(settings.adminUser(), settings.adminPassword());
    return exec(
        last
            ? call.check(status().is(200), jmesPath("state").is("succeeded"))
            : call.check(status().is(200), jmesPath("state").saveAs("state")));
  }
}
