package dev.shardless.persistence.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class SecretCipherTest {
  static final byte[] KEY = key(1);
  static final byte[] VALUE = "hunter2".getBytes(StandardCharsets.UTF_8);

  final SecretCipher cipher = new SecretCipher(KEY);

  static byte[] key(int seed) {
    byte[] k = new byte[SecretCipher.KEY_BYTES];
    for (int i = 0; i < k.length; i++) {
      k[i] = (byte) (seed * 31 + i);
    }
    return k;
  }

  @Test
  void sealedValueOpensToTheSameBytes() {
    Sealed sealed = cipher.seal("openfaas-fn", "db", VALUE);

    assertThat(sealed.nonce()).hasSize(12);
    assertThat(sealed.ciphertext()).hasSize(VALUE.length + 16);
    assertThat(cipher.open("openfaas-fn", "db", sealed)).isEqualTo(VALUE);
  }

  @Test
  void binaryAndEmptyValuesRoundTrip() {
    byte[] binary = new byte[256];
    new SecureRandom().nextBytes(binary);

    assertThat(cipher.open("ns", "bin", cipher.seal("ns", "bin", binary))).isEqualTo(binary);
    assertThat(cipher.open("ns", "empty", cipher.seal("ns", "empty", new byte[0]))).isEmpty();
  }

  @Test
  void anotherKeyCannotOpenIt() {
    Sealed sealed = cipher.seal("openfaas-fn", "db", VALUE);

    assertThatThrownBy(() -> new SecretCipher(key(2)).open("openfaas-fn", "db", sealed))
        .isInstanceOf(SecretCipher.Undecryptable.class)
        .hasMessageContaining("db");
  }

  @Test
  void tamperedCiphertextOrNonceFailsToOpen() {
    Sealed sealed = cipher.seal("openfaas-fn", "db", VALUE);
    byte[] ct = sealed.ciphertext();
    ct[0] ^= 1;
    byte[] nonce = sealed.nonce();
    nonce[11] ^= 1;

    assertThatThrownBy(() -> cipher.open("openfaas-fn", "db", new Sealed(sealed.nonce(), ct)))
        .isInstanceOf(SecretCipher.Undecryptable.class);
    assertThatThrownBy(
            () -> cipher.open("openfaas-fn", "db", new Sealed(nonce, sealed.ciphertext())))
        .isInstanceOf(SecretCipher.Undecryptable.class);
  }

  @Test
  void aValueMovedToAnotherNameOrNamespaceFailsToOpen() {
    Sealed sealed = cipher.seal("openfaas-fn", "db", VALUE);

    assertThatThrownBy(() -> cipher.open("openfaas-fn", "other", sealed))
        .isInstanceOf(SecretCipher.Undecryptable.class);
    assertThatThrownBy(() -> cipher.open("team-b", "db", sealed))
        .isInstanceOf(SecretCipher.Undecryptable.class);
  }

  @Test
  void everyWriteGetsAFreshNonce() {
    Sealed first = cipher.seal("openfaas-fn", "db", VALUE);
    Sealed second = cipher.seal("openfaas-fn", "db", VALUE);

    assertThat(first.nonce()).isNotEqualTo(second.nonce());
    assertThat(first.ciphertext()).isNotEqualTo(second.ciphertext());
  }

  @Test
  void keyOfTheWrongLengthIsRejected() {
    assertThatThrownBy(() -> new SecretCipher(new byte[16]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes");
  }
}
