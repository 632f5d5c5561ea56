package dev.shardless.persistence.secrets;

import dev.shardless.scheduler.CborSerializable;
import java.util.Arrays;

/**
 * One secret value encrypted with AES-256-GCM by {@link SecretCipher}: the random 96-bit nonce and
 * the ciphertext with its 128-bit tag. This is all the journal and the cluster messages ever hold
 * of a value.
 *
 * @param nonce 12 random bytes, new for every write
 * @param ciphertext the encrypted value followed by the GCM tag
 */
public record Sealed(byte[] nonce, byte[] ciphertext) implements CborSerializable {
  public Sealed {
    nonce = nonce.clone();
    ciphertext = ciphertext.clone();
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  @Override
  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sealed s
        && Arrays.equals(nonce, s.nonce)
        && Arrays.equals(ciphertext, s.ciphertext);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(nonce) + Arrays.hashCode(ciphertext);
  }

  @Override
  public String toString() {
    return "Sealed[" + ciphertext.length + " bytes]";
  }
}
