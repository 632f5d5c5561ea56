package dev.shardless.persistence.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Where the secrets key comes from, kept apart from the journal: {@code SHARDLESS_SECRETS_KEY}
 * ({@code shardless.secrets.key}, base64 of 32 bytes) when set, which every node of a cluster must
 * share; else the key file ({@code shardless.secrets.key-file}, default {@code
 * <data-dir>/secrets.key}), generated on first start with 32 random bytes in base64 and mode 600.
 * Losing the key loses every secret.
 */
public final class SecretKeys {
  private SecretKeys() {}

  /** The key from {@code settings}, generating the key file when it is used and missing. */
  public static byte[] load(SecretsSettings settings, Path dataDir) throws IOException {
    if (settings.key().isPresent()) {
      return decode(settings.key().get(), "shardless.secrets.key (SHARDLESS_SECRETS_KEY)");
    }
    Path file = settings.keyFileFor(dataDir);
    if (!Files.exists(file)) {
      generate(file);
    }
    return decode(
        Files.readString(file, StandardCharsets.US_ASCII), "the secrets key file " + file);
  }

  private static void generate(Path file) throws IOException {
    byte[] key = new byte[SecretCipher.KEY_BYTES];
    new SecureRandom().nextBytes(key);
    byte[] text =
        (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      if (Files.getFileStore(parent).supportsFileAttributeView("posix")) {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(file);
      }
    } catch (FileAlreadyExistsException e) {
      return; // another process made it first: use theirs
    }
    Files.write(file, text, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
  }

  static byte[] decode(String base64, String source) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + " is not valid base64", e);
    }
    if (key.length != SecretCipher.KEY_BYTES) {
      throw new IllegalArgumentException(
          source
              + " must hold "
              + SecretCipher.KEY_BYTES
              + " bytes in base64 (openssl rand -base64 32), held "
              + key.length);
    }
    return key;
  }
}
