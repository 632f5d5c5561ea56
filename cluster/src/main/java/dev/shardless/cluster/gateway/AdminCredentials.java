package dev.shardless.cluster.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The admin user's credentials for {@code /system/*}. A password given in the settings wins;
 * otherwise the one kept in {@code <data-dir>/admin-password}, generated on first start.
 *
 * @param generated true when this start created the password (the node prints it once)
 */
public record AdminCredentials(String user, String password, boolean generated, Path file) {
  public static final String FILE_NAME = "admin-password";

  /** Resolves the credentials, creating and keeping a password when none is configured. */
  public static AdminCredentials resolve(GatewaySettings settings, Path dataDir)
      throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    if (!settings.adminPassword().isEmpty()) {
      return new AdminCredentials(settings.adminUser(), settings.adminPassword(), false, null);
    }
    if (Files.exists(file)) {
      String kept = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (!kept.isEmpty()) {
        return new AdminCredentials(settings.adminUser(), kept, false, file);
      }
    }
    byte[] random = new byte[18];
    new SecureRandom().nextBytes(random);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    Files.createDirectories(dataDir);
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        file, password + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    return new AdminCredentials(settings.adminUser(), password, true, file);
  }

  /** True when an {@code Authorization: Basic …} value carries these credentials. */
  public boolean matchesBasic(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return false;
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(authorization.substring(6).trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
    byte[] expected = (user + ":" + password).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(decoded, expected);
  }
}
