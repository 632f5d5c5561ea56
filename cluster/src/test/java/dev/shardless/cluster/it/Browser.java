package dev.shardless.cluster.it;

import static org.awaitility.Awaitility.await;

import dev.shardless.invoker.testing.DebianPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * A real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, installed by
 * {@link DebianPackages} when missing) driven through {@code /usr/bin/chromedriver}, with a fresh
 * profile and everything that would reach the network switched off (the CI machine has none). Its
 * console is read through the browser log; screenshots go to {@code target/ui-screenshots/}.
 */
final class Browser implements AutoCloseable {
  static final Path SCREENSHOTS = Path.of("target", "ui-screenshots").toAbsolutePath();
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final Path profile;
  private final ChromeDriver driver;

  private Browser(Path profile, ChromeDriver driver) {
    this.profile = profile;
    this.driver = driver;
  }

  /** True when chromium and chromedriver are there (installed now if they were not and we can). */
  static boolean available() {
    return DebianPackages.ensure("chromium", "chromium")
        && DebianPackages.ensure("chromedriver", "chromium-driver")
        && Files.isExecutable(Path.of("/usr/bin/chromedriver"));
  }

  /** Starts the browser with a laptop-sized window. */
  static Browser start() throws IOException {
    Path profile = Files.createTempDirectory("shardless-ui-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1366,1024",
        "--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
            .usingAnyFreePort()
            .build();
    return new Browser(profile, new ChromeDriver(service, options));
  }

  ChromeDriver driver() {
    return driver;
  }

  void open(String url) {
    driver.get(url);
  }

  /** The element, waiting until it is there. */
  WebElement find(String css) {
    return until(() -> driver.findElement(By.cssSelector(css)));
  }

  List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  /** The element's visible text, or "" while it is missing or being re-rendered. */
  String text(String css) {
    try {
      return driver.findElement(By.cssSelector(css)).getText();
    } catch (RuntimeException e) {
      return "";
    }
  }

  /** Waits until the element's text contains {@code expected}. */
  void waitForText(String css, String expected, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> text(css).contains(expected));
  }

  void waitForText(String css, String expected) {
    waitForText(css, expected, WAIT);
  }

  void type(String css, String text) {
    WebElement e = find(css);
    e.clear();
    e.sendKeys(text);
  }

  void click(String css) {
    until(
        () -> {
          driver.findElement(By.cssSelector(css)).click();
          return true;
        });
  }

  /** Scrolls the element to the middle of the window, then saves a screenshot. */
  Path screenshot(String name, String css) throws IOException {
    driver.executeScript("arguments[0].scrollIntoView({block: 'center'})", find(css));
    return screenshot(name);
  }

  /** Saves a PNG of the window as {@code target/ui-screenshots/<name>.png}. */
  Path screenshot(String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    Path file = SCREENSHOTS.resolve(name + ".png");
    Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    return file;
  }

  /**
   * The visible form controls that have no label (no {@code <label>}, no {@code aria-label}, and
   * for a button no text), by id or markup: what a screen reader could not name.
   */
  @SuppressWarnings("unchecked")
  List<String> unlabelledControls() {
    return (List<String>)
        driver.executeScript(
            "return [...document.querySelectorAll('input, select, textarea, button')]"
                + ".filter(e => e.offsetParent !== null)"
                + ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')"
                + " && !(e.tagName === 'BUTTON' && e.textContent.trim()))"
                + ".map(e => e.id || e.outerHTML.slice(0, 80));");
  }

  /** The console messages at error level since the last call ("SEVERE" in the browser log). */
  List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .toList();
  }

  private static <T> T until(Callable<T> find) {
    return await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(find, x -> x != null);
  }

  @Override
  public void close() throws IOException {
    driver.quit();
    try (Stream<Path> files = Files.walk(profile)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a profile file the exiting browser still wrote: left in the temp directory
    }
  }
}
