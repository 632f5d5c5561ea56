package dev.shardless.cluster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard (docs/ui.md) end to end: a real headless Chromium against a real node, one user's
 * session from login to the node going away. The tests run in order and build on each other (the
 * function the form deploys is the one invoked and loaded), as a user's visit would. Each view is
 * saved under {@code target/ui-screenshots/}; the console must stay free of errors except for the
 * failed login's 401 and the connection errors while the node is down, which the browser logs
 * itself.
 *
 * <p>Short autoscaler windows (as in {@link ScaleDownIT}) and a 5 s idle-to-zero label keep the
 * scale up and down within a minute.
 */
@TestMethodOrder(OrderAnnotation.class)
class UiIT {
  private static final String FN = "hello-ui";
  private static final String FLAKY = "flaky-ui";
  private static final Duration SCALING = Duration.ofSeconds(120);

  @RegisterExtension
  static final RunningNode NODE =
      new RunningNode(
          Map.of(
              "SHARDLESS_AUTOSCALE_INTERVAL", "1s",
              "SHARDLESS_AUTOSCALE_STABLE_WINDOW", "6s",
              "SHARDLESS_AUTOSCALE_PANIC_WINDOW", "2s",
              "SHARDLESS_AUTOSCALE_DOWN_WINDOW", "6s"));

  private static Browser browser;
  private static NodeProcess restarted;

  @BeforeAll
  static void startBrowser() throws Exception {
    assumeTrue(Browser.available(), "chromium and chromium-driver could not be installed");
    browser = Browser.start();
  }

  @AfterAll
  static void stopBrowser() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (restarted != null) {
      restarted.close();
    }
  }

  private static String url(String path) {
    return NODE.node().uri(path).toString();
  }

  /** The view is quiet (no console error) and every control has a name. */
  private static void assertCleanView() {
    assertThat(browser.consoleErrors()).as("console errors").isEmpty();
    assertThat(browser.unlabelledControls()).as("controls without a label").isEmpty();
  }

  private static void logIn(String password) {
    browser.type("#login-user", NodeProcess.USER);
    browser.type("#login-password", password);
    browser.click("#login-submit");
  }

  @Test
  @Order(1)
  void wrongCredentialsShowALoginErrorNotABlankPageOrTheNativeDialog() throws Exception {
    browser.open(url("/ui/"));
    browser.find("#login-form");
    logIn("not-the-password");
    browser.waitForText("#login-error", "Wrong user name or password");
    assertThat(browser.find("#app").isDisplayed()).isFalse();
    browser.screenshot("01-login-error");
    assertThat(browser.consoleErrors())
        .as("only the rejected login's own 401")
        .allMatch(m -> m.contains("401"));

    // The page's calls carry X-Requested-With, so a 401 has no WWW-Authenticate (no native
    // dialog); faas-cli and curl still get the challenge.
    HttpResponse<String> scripted =
        NODE.api()
            .send(
                HttpRequest.newBuilder(NODE.node().uri("/system/functions"))
                    .header("X-Requested-With", "shardless-ui")
                    .build());
    assertThat(scripted.statusCode()).isEqualTo(401);
    assertThat(scripted.headers().firstValue("WWW-Authenticate")).isEmpty();
    HttpResponse<String> plain = NODE.api().system("GET", "/system/functions", null, null, null);
    assertThat(plain.statusCode()).isEqualTo(401);
    assertThat(plain.headers().firstValue("WWW-Authenticate"))
        .contains("Basic realm=\"shardless\"");
  }

  @Test
  @Order(2)
  void loginShowsTheLiveEmptyStateWithALinkToDeploy() throws Exception {
    logIn(NodeProcess.PASSWORD);
    browser.waitForText("#connection", "Live");
    browser.waitForText("#functions-empty", "No functions yet");
    assertThat(browser.find("#functions-empty a").getAttribute("href")).endsWith("#/deploy");
    browser.screenshot("02-functions-empty");
    assertCleanView();
  }

  @Test
  @Order(3)
  void theDeployFormChecksWithTheApisMessagesThenDeploys() throws Exception {
    browser.click("#functions-empty a");
    browser.find("#deploy-form");
    browser.type("#f-name", "Hello_UI");
    browser.type("#f-image", "test/probe");
    browser.type("#f-command", "python3 " + Api.FUNCTIONS.resolve("probe.py"));
    browser.click("#deploy-submit");
    String expected =
        "service: must be a DNS-1123 label (lower-case letters, digits and '-', starting and"
            + " ending with a letter or digit), was 'Hello_UI'";
    browser.waitForText("#deploy-errors", expected);
    HttpResponse<String> api =
        NODE.api().system("POST", "/system/functions", Api.probe("Hello_UI", "", ""));
    assertThat(api.statusCode()).isEqualTo(400);
    assertThat(api.body()).as("the API says the same").contains(expected);
    browser.screenshot("03-deploy-invalid");

    browser.type("#f-name", FN);
    new Select(browser.find("#f-mode")).selectByValue("http");
    browser.click("#preset-zero");
    browser.find("#f-labels").sendKeys("\ncom.openfaas.scale.zero-duration=5s");
    browser.click("#deploy-submit");
    browser.waitForText("#detail-title", FN);
    browser.waitForText("[data-number=replicas] dd", "1 / 1", SCALING);
    browser.waitForText("#labels-table", "Idle time before going to zero: 5s.");
    JsonNode deployed = Api.json(NODE.api().system("GET", "/system/function/" + FN, null));
    assertThat(deployed.get("labels").get("com.openfaas.scale.zero").asText()).isEqualTo("true");
    assertThat(deployed.get("envVars").get("mode").asText()).isEqualTo("http");
    browser.screenshot("04-function-detail");

    browser.click("#logs-follow");
    HttpResponse<String> printed =
        NODE.api().invoke("GET", "/function/" + FN + "/print?text=followed-line&lines=1", null);
    assertThat(printed.statusCode()).as(printed.body()).isEqualTo(200);
    browser.waitForText("#logs", "followed-line");
    assertCleanView();
  }

  @Test
  @Order(4)
  void theInvokePanelShowsStatusHeadersBodyAndTheAsyncJob() throws Exception {
    browser.open(url("/ui/#/functions/" + FN + "/invoke"));
    new Select(browser.find("#i-method")).selectByValue("POST");
    browser.type("#i-path", "/echo");
    browser.type("#i-headers", "X-Team: blue");
    browser.type("#i-body", "hello from the browser");
    browser.click("#invoke-submit");
    browser.waitForText("#invoke-status", "200");
    assertThat(browser.text("#invoke-body")).contains("hello from the browser").contains("blue");
    assertThat(browser.text("#invoke-result")).containsIgnoringCase("x-call-id");
    assertThat(browser.text("#invoke-time")).endsWith("ms");
    browser.screenshot("05-invoke-sync", "#invoke-result");

    browser.click("#mode-async");
    browser.click("#invoke-submit");
    browser.waitForText("#invoke-status", "202");
    String callId = browser.text("#invoke-call-id");
    assertThat(callId).isNotBlank();
    browser.click("#job-link");
    browser.waitForText("#job-title", callId);
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () -> {
              browser.click("#job-refresh");
              return browser.text("[data-number=state] dd").equals("succeeded");
            });
    browser.screenshot("06-async-job");
    assertCleanView();
  }

  @Test
  @Order(5)
  void replicasRiseUnderLoadAndFallToZeroWithTheirReasons() throws Exception {
    browser.open(url("/ui/#/functions"));
    String row = "tr[data-function='" + FN + "'] td[data-col=replicas]";
    try (SteadyLoad load =
        new SteadyLoad(NODE.api(), "/function/" + FN + "/sleep?ms=200", 12, 600)) {
      await()
          .atMost(SCALING)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> ready(browser.text(row)) >= 2);
      browser.waitForText("tr[data-function='" + FN + "'] td[data-col=rps]", ".");
      browser.screenshot("07-functions-under-load");
      browser.open(url("/ui/#/functions/" + FN));
      await()
          .atMost(SCALING)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> ready(browser.text("[data-number=replicas] dd")) >= 2);
      // Keep the load on a while at the new size, so the timeline shows it.
      long before = load.succeeded();
      await().atMost(SCALING).until(() -> load.succeeded() >= before + 120 || load.finished());
      load.stop();
      assertThat(load.failures()).as("every call answered 200").isEmpty();
    }
    browser.waitForText("[data-number=replicas] dd", "0 / 0", SCALING);
    assertThat(browser.all("#timeline .marker")).as("scale decisions on the chart").isNotEmpty();
    assertThat(browser.text("#decisions")).contains("→ 0 replicas");
    browser.screenshot("08-function-scaled-to-zero");
    assertCleanView();
  }

  private static int ready(String replicas) {
    int slash = replicas.indexOf(" / ");
    return slash < 0 ? -1 : Integer.parseInt(replicas.substring(0, slash).trim());
  }

  @Test
  @Order(6)
  void aDeadLetterIsShownAndRedrivenFromTheFunctionPage() throws Exception {
    HttpResponse<String> deployed =
        NODE.api()
            .system(
                "POST",
                "/system/functions",
                Api.probe(
                    FLAKY,
                    "",
                    "\"com.openfaas.retry.attempts\":\"2\",\"com.openfaas.retry.min_wait\":\"50ms\","
                        + "\"com.openfaas.retry.max_wait\":\"100ms\""));
    assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(202);
    // Fails its first 2 calls (the whole budget): dead-lettered; the redriven 3rd succeeds.
    HttpResponse<String> accepted = NODE.api().async(FLAKY + "/flaky?fail=2", "x");
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    String id = accepted.headers().firstValue("X-Call-Id").orElseThrow();

    browser.open(url("/ui/#/functions/" + FLAKY));
    String letter = "#dead-letters-table tr[data-call-id='" + id + "']";
    browser.waitForText(letter, "500", Duration.ofSeconds(60));
    browser.waitForText("[data-number=deadLetters] dd", "1");
    browser.screenshot("09-dead-letter", "#dead-letters");
    browser.click("button[aria-label='Redrive " + id + "']");
    browser.waitForText("#async-message", "Redriven: " + id);
    browser.waitForText("#dead-letters", "No dead letters.", Duration.ofSeconds(60));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                Api.json(NODE.api().system("GET", "/system/async/" + FLAKY + "/calls/" + id, null))
                    .get("state")
                    .asText()
                    .equals("succeeded"));
    assertCleanView();
  }

  @Test
  @Order(7)
  void theFunctionsListFiltersAndSortsFromTheKeyboard() throws Exception {
    browser.open(url("/ui/#/functions"));
    browser.waitForText("tr[data-function='" + FLAKY + "']", FLAKY);
    assertThat(names()).containsExactly(FLAKY, FN);
    browser.find("button.sort[data-sort=name]").sendKeys(Keys.ENTER);
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> names().equals(List.of(FN, FLAKY)));
    browser.find("#functions-filter").sendKeys("flaky");
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> names().equals(List.of(FLAKY)));
    browser.waitForText("#functions-summary", "1 of 2");
    browser.find("#functions-filter").clear();
    assertCleanView();
  }

  @Test
  @Order(8)
  void theViewsFitASmallLaptopScreenWithoutSidewaysScrolling() throws Exception {
    browser.driver().manage().window().setSize(new Dimension(1024, 700));
    try {
      for (String view : List.of("#/functions", "#/functions/" + FN, "#/deploy", "#/secrets")) {
        browser.open(url("/ui/" + view));
        browser.find("main h1");
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    (Boolean)
                        browser
                            .driver()
                            .executeScript(
                                "return document.documentElement.scrollWidth"
                                    + " <= document.documentElement.clientWidth"));
      }
      browser.open(url("/ui/#/functions/" + FN));
      browser.waitForText("[data-number=replicas] dd", "/");
      browser.screenshot("12-laptop-1024");
    } finally {
      browser.driver().manage().window().setSize(new Dimension(1366, 1024));
    }
    assertCleanView();
  }

  private static List<String> names() {
    return browser.all("#functions-table tbody tr").stream()
        .map(r -> r.getAttribute("data-function"))
        .toList();
  }

  @Test
  @Order(9)
  void theEditFormStartsFromTheDeployedDefinition() throws Exception {
    browser.open(url("/ui/#/functions/" + FN + "/edit"));
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> browser.find("#f-image").getAttribute("value").equals("test/probe"));
    assertThat(browser.find("#f-name").getAttribute("readonly")).isNotNull();
    assertThat(browser.find("#f-labels").getAttribute("value"))
        .contains("com.openfaas.scale.zero-duration=5s")
        .doesNotContain("faas_function");
    assertThat(new Select(browser.find("#f-mode")).getFirstSelectedOption().getAttribute("value"))
        .isEqualTo("http");
    browser.screenshot("13-edit");
    assertCleanView();
  }

  @Test
  @Order(10)
  void secretsShowNamesOnlyAndNamespacesListTheirFunctions() throws Exception {
    browser.open(url("/ui/#/secrets"));
    browser.type("#s-name", "db-password");
    browser.type("#s-value", "hunter2");
    browser.find("#secret-form").submit();
    browser.waitForText("#secrets-list", "db-password");
    assertThat(browser.driver().getPageSource()).doesNotContain("hunter2");
    browser.screenshot("10-secrets");

    browser.open(url("/ui/#/namespaces"));
    browser.waitForText("#namespaces-table tr[data-namespace='openfaas-fn']", "2");
    browser.screenshot("11-namespaces");
    assertCleanView();
  }

  @Test
  @Order(11)
  void theLiveFeedSendsHistoryThenTheSameEventToEverySubscriber() throws Exception {
    CompletableFuture<List<String>> first = CompletableFuture.supplyAsync(UiIT::firstEvents);
    CompletableFuture<List<String>> second = CompletableFuture.supplyAsync(UiIT::firstEvents);
    List<String> a = first.get(60, TimeUnit.SECONDS);
    List<String> b = second.get(60, TimeUnit.SECONDS);
    assertThat(a.get(0)).isEqualTo("event: history");
    JsonNode history = Api.JSON.readTree(a.get(1).substring(6));
    assertThat(history.get("functions").get(FN).get(0)).hasSize(5);
    assertThat(a.get(2)).isEqualTo("event: functions");
    JsonNode event = Api.JSON.readTree(a.get(3).substring(6));
    assertThat(event.get("namespace").asText()).isEqualTo("openfaas-fn");
    assertThat(event.get("windowSeconds").asInt()).isEqualTo(10);
    JsonNode hello = null;
    for (JsonNode f : event.get("functions")) {
      if (f.get("name").asText().equals(FN)) {
        hello = f;
      }
    }
    assertThat(hello).as("hello-ui in " + event).isNotNull();
    assertThat(hello.get("known").asBoolean()).isTrue();
    assertThat(hello.has("rps") && hello.has("p50Ms") && hello.has("p99Ms")).isTrue();
    assertThat(hello.get("recentChanges").findValuesAsText("reason")).contains("IDLE_TO_ZERO");
    // Computed once per tick and fanned out: the two streams carry identical events.
    List<String> dataA =
        a.stream()
            .filter(l -> l.startsWith("data: {\"namespace\"") && l.contains("\"time\""))
            .toList();
    assertThat(b)
        .as("an event both subscribers received, byte for byte")
        .containsAnyElementsOf(dataA);

    HttpResponse<String> badNamespace =
        NODE.api().system("GET", "/system/ui/events?namespace=nope", null);
    assertThat(badNamespace.statusCode()).isEqualTo(400);
    assertThat(badNamespace.body()).contains("namespace");
    assertThat(NODE.api().system("GET", "/system/ui/events", null, null, null).statusCode())
        .isEqualTo(401);
  }

  /** The first history event and the next three functions events, as their event and data lines. */
  private static List<String> firstEvents() {
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (NodeProcess.USER + ":" + NodeProcess.PASSWORD).getBytes(StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(NODE.node().uri("/system/ui/events"))
            .header("Authorization", "Basic " + basic)
            .build();
    try {
      HttpResponse<Stream<String>> r =
          HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
      try (Stream<String> lines = r.body()) {
        return lines.filter(l -> l.startsWith("event:") || l.startsWith("data:")).limit(8).toList();
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A node on the old data directory and HTTP port. */
  private static NodeProcess restart(int port) throws Exception {
    Map<String, String> env = Map.of("SHARDLESS_HTTP_PORT", Integer.toString(port));
    return new NodeProcess(NODE.node().dataDir(), env).start();
  }

  @Test
  @Order(12)
  void aNodeThatGoesAwayShowsDisconnectedRetryingAndTheDashboardRecovers() throws Exception {
    browser.open(url("/ui/#/functions"));
    browser.waitForText("tr[data-function='" + FN + "']", FN);
    browser.waitForText("#connection", "Live");
    assertCleanView();
    int port = NODE.node().port();
    NODE.node().stopGracefully();
    browser.waitForText("#connection", "Disconnected, retrying");
    browser.waitForText("#offline", "Disconnected from the gateway, retrying");
    browser.screenshot("14-disconnected");
    assertThat(browser.consoleErrors())
        .as("only the browser's own network errors while the node is down")
        .allMatch(m -> m.contains("net::ERR_") || m.contains("Failed to load resource"));

    restarted = restart(port);
    browser.waitForText("#connection", "Live", Duration.ofSeconds(60));
    browser.waitForText("tr[data-function='" + FN + "']", FN);
    assertThat(browser.consoleErrors())
        .allMatch(m -> m.contains("net::ERR_") || m.contains("Failed to load resource"));
  }
}
