package dev.shardless.persistence.secrets;

import static dev.shardless.persistence.SingleNode.result;
import static dev.shardless.persistence.SingleNode.terminate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardless.persistence.SingleNode;
import dev.shardless.scheduler.port.SecretResolver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog over the sharded store on a real one-node cluster and H2 journal, with restarts. */
class SecretCatalogTest {
  static final String NS = "openfaas-fn";
  static final byte[] RAW = {0, (byte) 0xff, 10, 13, 0x7f, (byte) 0x80};

  @TempDir Path dataDir;
  ActorSystem<Void> system;

  @AfterEach
  void stop() throws Exception {
    if (system != null) {
      terminate(system);
    }
  }

  SecretCatalog start(byte[] key) throws Exception {
    system = SingleNode.start(dataDir, "SecretCatalogTest");
    SecretStore.init(system);
    return SecretCatalog.create(system, new SecretCipher(key));
  }

  @Test
  void rawBytesRoundTripThroughTheResolverAndSurviveARestart() throws Exception {
    SecretCatalog catalog = start(SecretCipherTest.key(5));
    assertThat(result(catalog.create(NS, "raw", RAW))).isInstanceOf(SecretStore.Applied.class);
    assertThat(result(catalog.create(NS, "text", "v1".getBytes(StandardCharsets.UTF_8))))
        .isInstanceOf(SecretStore.Applied.class);
    assertThat(result(catalog.update(NS, "text", "v2".getBytes(StandardCharsets.UTF_8))))
        .isInstanceOf(SecretStore.Applied.class);
    terminate(system);

    SecretResolver resolver = start(SecretCipherTest.key(5));

    Map<String, byte[]> values = result(resolver.resolve(NS, List.of("text", "raw")));
    assertThat(values.keySet()).containsExactly("text", "raw");
    assertThat(values.get("raw")).isEqualTo(RAW);
    assertThat(new String(values.get("text"), StandardCharsets.UTF_8)).isEqualTo("v2");
  }

  @Test
  void listMissingAndDeleteWorkPerNamespace() throws Exception {
    SecretCatalog catalog = start(SecretCipherTest.key(5));
    result(catalog.create(NS, "b", RAW));
    result(catalog.create(NS, "a", RAW));
    result(catalog.create("team-b", "c", RAW));

    assertThat(result(catalog.list(NS))).containsExactly("a", "b");
    assertThat(result(catalog.list("team-b"))).containsExactly("c");
    assertThat(result(catalog.missing(NS, List.of("a", "c", "z")))).containsExactly("c", "z");
    assertThat(result(catalog.create(NS, "a", RAW))).isInstanceOf(SecretStore.Conflict.class);
    assertThat(result(catalog.delete(NS, "a"))).isInstanceOf(SecretStore.Applied.class);
    assertThat(result(catalog.delete(NS, "a"))).isInstanceOf(SecretStore.NotFound.class);
    assertThat(result(catalog.update(NS, "a", RAW))).isInstanceOf(SecretStore.NotFound.class);
    assertThat(result(catalog.list(NS))).containsExactly("b");
  }

  @Test
  void resolvingAnUnknownSecretFailsNamingIt() throws Exception {
    SecretCatalog catalog = start(SecretCipherTest.key(5));
    result(catalog.create(NS, "a", RAW));

    assertThatThrownBy(() -> result(catalog.resolve(NS, List.of("a", "nope"))))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(SecretResolver.UnknownSecret.class)
        .hasMessageContaining("nope");
    assertThat(result(catalog.resolve(NS, List.of()))).isEmpty();
  }

  @Test
  void aNodeWithAnotherKeyCannotReadTheValues() throws Exception {
    SecretCatalog catalog = start(SecretCipherTest.key(5));
    result(catalog.create(NS, "a", RAW));
    terminate(system);

    SecretCatalog other = start(SecretCipherTest.key(6));

    assertThat(result(other.list(NS))).containsExactly("a");
    assertThatThrownBy(() -> result(other.resolve(NS, List.of("a"))))
        .cause()
        .isInstanceOf(SecretCipher.Undecryptable.class);
  }
}
