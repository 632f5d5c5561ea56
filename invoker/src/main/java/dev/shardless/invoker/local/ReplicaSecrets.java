package dev.shardless.invoker.local;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.ReplicaId;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secret files of replicas: {@code <data-dir>/run/secrets/<jvm-pid>/<namespace>/<name>/
 * <replica>/<secret>}, directories 0700 and files 0400, written before a replica starts and deleted
 * when it ends. They lie inside the data directory, which no sandbox shows, so a function sees only
 * its own, bound at {@code /var/openfaas/secrets}. A JVM that died leaves its {@code <jvm-pid>}
 * tree; the next platform on this data directory deletes the trees of JVMs that are gone.
 */
final class ReplicaSecrets {
  private static final Logger log = LoggerFactory.getLogger(ReplicaSecrets.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");
  private static final String JVM = Long.toString(ProcessHandle.current().pid());

  private final Path root;

  ReplicaSecrets(Path dataDir) {
    this.root = dataDir.resolve("run").resolve("secrets");
  }

  /** Deletes the secret trees of JVMs that no longer run. */
  void reapStale() {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (DirectoryStream<Path> jvms = Files.newDirectoryStream(root)) {
      for (Path jvm : jvms) {
        String pid = jvm.getFileName().toString();
        boolean gone =
            !pid.matches("[0-9]+")
                || ProcessHandle.of(Long.parseLong(pid)).map(h -> !h.isAlive()).orElse(true);
        if (gone && !pid.equals(JVM)) {
          delete(jvm);
        }
      }
    } catch (IOException e) {
      log.warn("Cannot clean stale secrets under {}: {}", root, e.toString());
    }
  }

  /** Writes {@code values} for one replica; empty when there are none. */
  Optional<Path> write(FunctionId function, ReplicaId id, Map<String, byte[]> values)
      throws IOException {
    if (values.isEmpty()) {
      return Optional.empty();
    }
    for (String name : values.keySet()) {
      if (!NAME.matcher(name).matches()) {
        throw new IOException("secret name not usable as a file name: '" + name + "'");
      }
    }
    Path dir =
        root.resolve(JVM)
            .resolve(function.namespace())
            .resolve(function.name())
            .resolve(id.toString());
    createPrivateDirs(dir);
    for (Map.Entry<String, byte[]> e : values.entrySet()) {
      Path f = dir.resolve(e.getKey());
      Files.deleteIfExists(f);
      Files.createFile(
          f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(f, e.getValue(), StandardOpenOption.TRUNCATE_EXISTING);
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--------"));
    }
    return Optional.of(dir);
  }

  /** Deletes a replica's secrets directory; never throws. */
  static void remove(Optional<Path> dir) {
    dir.ifPresent(ReplicaSecrets::delete);
  }

  private void createPrivateDirs(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Path p = dir; p != null && p.startsWith(root); p = p.getParent()) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    }
  }

  private static void delete(Path tree) {
    try {
      Files.walkFileTree(
          tree,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc)
                throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      log.warn("Cannot delete secrets {}: {}", tree, e.toString());
    }
  }
}
