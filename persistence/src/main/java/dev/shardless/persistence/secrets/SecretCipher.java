package dev.shardless.persistence.secrets;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secret values at rest with AES-256-GCM under the node's secrets key (see {@link
 * SecretKeys}). Every value gets a fresh random 96-bit nonce, and the associated data is {@code
 * <namespace>/<name>}, so a ciphertext copied to another secret's entry in the journal fails to
 * open instead of revealing its value under the wrong name. Thread-safe: a {@link Cipher} is made
 * per call.
 *
 * <p>Example: sealing {@code "hunter2"} as {@code openfaas-fn/db-password} gives 12 nonce bytes and
 * 7 + 16 ciphertext bytes (the value and the GCM tag); opening it as {@code openfaas-fn/other}
 * fails.
 */
public final class SecretCipher {
  /** AES-256: 32 key bytes. */
  public static final int KEY_BYTES = 32;

  static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";

  private final SecretKeySpec key;
  private final SecureRandom random;

  public SecretCipher(byte[] key, SecureRandom random) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "the secrets key must be " + KEY_BYTES + " bytes, was " + key.length);
    }
    this.key = new SecretKeySpec(key.clone(), "AES");
    this.random = random;
  }

  public SecretCipher(byte[] key) {
    this(key, new SecureRandom());
  }

  /** Encrypts {@code value} for the secret {@code namespace/name}. */
  public Sealed seal(String namespace, String name, byte[] value) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData(namespace, name));
      return new Sealed(nonce, cipher.doFinal(value));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable in this JVM", e);
    }
  }

  /**
   * Decrypts the value of the secret {@code namespace/name}.
   *
   * @throws SecretCipher.Undecryptable when the key is not the one it was sealed with, the bytes
   *     were altered, or it was sealed for another secret
   */
  public byte[] open(String namespace, String name, Sealed sealed) {
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed.nonce()));
      cipher.updateAAD(associatedData(namespace, name));
      return cipher.doFinal(sealed.ciphertext());
    } catch (GeneralSecurityException e) {
      throw new Undecryptable(namespace, name, e);
    }
  }

  private static byte[] associatedData(String namespace, String name) {
    return (namespace + "/" + name).getBytes(StandardCharsets.UTF_8);
  }

  /** A stored value that does not open with this key: wrong key, or altered bytes. */
  public static final class Undecryptable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Undecryptable(String namespace, String name, Throwable cause) {
      super(
          "secret "
              + name
              + " in namespace "
              + namespace
              + " cannot be decrypted: the secrets key differs from the one it was stored with,"
              + " or the stored bytes were altered",
          cause);
    }
  }
}
