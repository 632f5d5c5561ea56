package dev.shardless.persistence.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretKeysTest {
  @TempDir Path dataDir;

  static SecretsSettings settings(String extra) {
    return SecretsSettings.fromConfig(ConfigFactory.parseString(extra));
  }

  @Test
  void firstStartGeneratesAPrivateKeyFileThatLaterStartsReuse() throws Exception {
    SecretsSettings s = settings("");

    byte[] first = SecretKeys.load(s, dataDir);
    byte[] second = SecretKeys.load(s, dataDir);

    Path file = dataDir.resolve("secrets.key");
    assertThat(first).hasSize(32).isEqualTo(second);
    assertThat(Base64.getDecoder().decode(Files.readString(file).trim())).isEqualTo(first);
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
  }

  @Test
  void configuredKeyWinsAndNoFileIsWritten() throws Exception {
    byte[] key = SecretCipherTest.key(7);
    SecretsSettings s =
        settings("shardless.secrets.key = \"" + Base64.getEncoder().encodeToString(key) + "\"");

    assertThat(SecretKeys.load(s, dataDir)).isEqualTo(key);
    assertThat(dataDir.resolve("secrets.key")).doesNotExist();
    assertThat(s.toString()).doesNotContain(Base64.getEncoder().encodeToString(key));
  }

  @Test
  void keyFileSettingIsUsed() throws Exception {
    Path file = dataDir.resolve("elsewhere").resolve("k");
    SecretsSettings s = settings("shardless.secrets.key-file = \"" + file + "\"");

    assertThat(s.keyFile()).isEqualTo(Optional.of(file));
    SecretKeys.load(s, dataDir);
    assertThat(file).exists();
  }

  @Test
  void badKeysAreRejectedNamingTheSetting() {
    assertThatThrownBy(() -> SecretKeys.load(settings("shardless.secrets.key = \"%%%\""), dataDir))
        .hasMessageContaining("shardless.secrets.key");
    assertThatThrownBy(
            () -> SecretKeys.load(settings("shardless.secrets.key = \"c2hvcnQ=\""), dataDir))
        .hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> settings("shardless.secrets.max-value-size = 0"))
        .hasMessageContaining("shardless.secrets.max-value-size");
  }
}
