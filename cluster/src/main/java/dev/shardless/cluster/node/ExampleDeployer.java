package dev.shardless.cluster.node;

import dev.shardless.cluster.gateway.BadRequest;
import dev.shardless.cluster.gateway.FunctionJson;
import dev.shardless.cluster.gateway.SpecChecks;
import dev.shardless.persistence.registry.RegistryCatalog;
import dev.shardless.scheduler.model.FieldError;
import dev.shardless.scheduler.model.FunctionSpec;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys the examples ({@code examples/<name>/deploy.json}) into the default namespace when it is
 * empty, so a new user has functions to call a minute after the first start. {@code {{dir}}} in a
 * deploy file stands for the example's absolute folder. An example whose command is not installed
 * (say, no {@code node}) is skipped with a warning rather than left failing to start.
 */
final class ExampleDeployer {
  private static final Logger log = LoggerFactory.getLogger(ExampleDeployer.class);

  private ExampleDeployer() {}

  /** The examples found in {@code dir}, ready to deploy; problems are logged and skipped. */
  static List<FunctionSpec> load(Path dir, String namespace, boolean requireEnvProcess) {
    List<FunctionSpec> specs = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      log.warn("No examples deployed: {} is not a folder", dir);
      return specs;
    }
    try (Stream<Path> children = Files.list(dir)) {
      for (Path folder : children.sorted().toList()) {
        Path file = folder.resolve("deploy.json");
        if (Files.isRegularFile(file)) {
          FunctionSpec spec = read(folder, file, namespace, requireEnvProcess);
          if (spec != null) {
            specs.add(spec);
          }
        }
      }
    } catch (IOException e) {
      log.warn("No examples deployed: cannot read {}: {}", dir, e.getMessage());
    }
    return specs;
  }

  private static FunctionSpec read(
      Path folder, Path file, String namespace, boolean requireEnvProcess) {
    try {
      String json =
          Files.readString(file, StandardCharsets.UTF_8)
              .replace("{{dir}}", folder.toAbsolutePath().toString());
      FunctionSpec spec = FunctionJson.readDeployment(FunctionJson.parse(json), namespace);
      List<FieldError> errors = SpecChecks.problems(spec, requireEnvProcess);
      if (!errors.isEmpty()) {
        log.warn("Example {} skipped: {}", file, new BadRequest(errors).getMessage());
        return null;
      }
      String command = spec.envProcess().trim().split("\\s+")[0];
      if (requireEnvProcess && !onPath(command)) {
        log.warn("Example {} skipped: '{}' is not installed", spec.id().name(), command);
        return null;
      }
      return spec;
    } catch (IOException | BadRequest e) {
      log.warn("Example {} skipped: {}", file, e.getMessage());
      return null;
    }
  }

  private static boolean onPath(String command) {
    if (command.contains("/")) {
      return Files.isExecutable(Path.of(command));
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  /** Deploys {@code specs} when {@code namespace} has no functions yet. */
  static CompletionStage<Integer> deployIfEmpty(
      RegistryCatalog registry, String namespace, List<FunctionSpec> specs, Executor ec) {
    return registry
        .list(namespace)
        .thenComposeAsync(
            existing -> {
              if (!existing.isEmpty() || specs.isEmpty()) {
                return CompletableFuture.completedFuture(0);
              }
              List<CompletableFuture<?>> deploys = new ArrayList<>();
              for (FunctionSpec spec : specs) {
                deploys.add(registry.deploy(spec).toCompletableFuture());
                log.info("Deploying example {}", spec.id());
              }
              return CompletableFuture.allOf(deploys.toArray(CompletableFuture[]::new))
                  .thenApplyAsync(done -> specs.size(), ec);
            },
            ec);
  }
}
