package dev.shardless.loadtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a simulation runs against and how hard, read once when the simulation is built.
 *
 * <p>Every setting {@code key} comes from the system property {@code shardless.key}, else from the
 * environment variable {@code SHARDLESS_KEY} (camel case becomes upper snake case), else a default.
 * For example {@code -Dshardless.adminPassword=secret} or {@code SHARDLESS_ADMIN_PASSWORD=secret},
 * {@code -Dshardless.p99Ms=50} or {@code SHARDLESS_P99_MS=50}. The connection settings are fields
 * here; each simulation reads its own load shape with {@link #integer}, {@link #decimal} and {@link
 * #text}.
 *
 * @param url the node's base URL
 * @param adminUser basic-auth user for {@code /system/*}
 * @param adminPassword its password: the setting, else the file {@code .shardless/admin-password}
 *     that {@code ./shardless run} generates in the repository root
 * @param deploy {@code true}: the simulation deploys its functions before and deletes them after;
 *     {@code false}: it uses functions that already exist under its function names
 * @param process the command of the deployed functions ({@code envProcess}, HTTP mode): the
 *     benchmark's nginx function when nginx is installed, else the {@code python-hello} example
 */
public record LoadSettings(
    String url, String adminUser, String adminPassword, boolean deploy, String process) {

  private static final Pattern CAMEL_HUMP = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])");

  /** The settings of this JVM: system properties, then environment, then defaults. */
  public static LoadSettings fromEnvironment() {
    Path root = repositoryRoot();
    return new LoadSettings(
        text("url", "http://127.0.0.1:8080").replaceAll("/+$", ""),
        text("adminUser", "admin"),
        optional("adminPassword").orElseGet(() -> generatedPassword(root)),
        Boolean.parseBoolean(text("deploy", "true")),
        optional("process").orElseGet(() -> defaultProcess(root)));
  }

  /** A text setting, or {@code fallback} when neither property nor variable is set. */
  public static String text(String key, String fallback) {
    return optional(key).orElse(fallback);
  }

  /** A whole-number setting; a value that is no number stops the simulation, naming the key. */
  public static int integer(String key, int fallback) {
    String value = text(key, Integer.toString(fallback));
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "shardless." + key + " must be a whole number, was " + value, e);
    }
  }

  /** A decimal setting; a value that is no number stops the simulation, naming the key. */
  public static double decimal(String key, double fallback) {
    String value = text(key, Double.toString(fallback));
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("shardless." + key + " must be a number, was " + value, e);
    }
  }

  private static Optional<String> optional(String key) {
    String env = "SHARDLESS_" + CAMEL_HUMP.matcher(key).replaceAll("_").toUpperCase(Locale.ROOT);
    return Optional.ofNullable(System.getProperty("shardless." + key))
        .or(() -> Optional.ofNullable(System.getenv(env)))
        .filter(v -> !v.isBlank());
  }

  /** The checkout this module lives in: the first directory upwards holding loadtest/bench. */
  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("loadtest/bench"))) {
        return d;
      }
    }
    return dir;
  }

  private static String generatedPassword(Path root) {
    Path file = root.resolve(".shardless/admin-password");
    if (!Files.isReadable(file)) {
      throw new IllegalStateException(
          "no admin password: set -Dshardless.adminPassword or SHARDLESS_ADMIN_PASSWORD ("
              + file
              + " does not exist)");
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String defaultProcess(Path root) {
    boolean nginx =
        Optional.ofNullable(System.getenv("PATH")).stream()
            .flatMap(p -> Pattern.compile(":").splitAsStream(p))
            .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "nginx")));
    if (nginx) {
      return "sh " + root.resolve("loadtest/bench/nginx-function.sh");
    }
    return "python3 " + root.resolve("examples/python-hello/handler.py");
  }
}
