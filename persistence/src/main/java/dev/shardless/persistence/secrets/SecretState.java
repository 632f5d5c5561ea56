package dev.shardless.persistence.secrets;

import dev.shardless.scheduler.CborSerializable;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The state of one namespace's {@link SecretStore}: each secret's sealed value, ordered by name.
 * Immutable; every change copies (fine for the tens to hundreds of secrets a namespace holds). It
 * is also the snapshot, so it holds only {@link Sealed} values, never plaintext.
 *
 * @param secrets the sealed value of each secret, by name
 */
public record SecretState(SortedMap<String, Sealed> secrets) implements CborSerializable {
  /** No secrets. */
  public static final SecretState EMPTY = new SecretState(null);

  public SecretState {
    secrets =
        Collections.unmodifiableSortedMap(
            secrets == null ? new TreeMap<>() : new TreeMap<>(secrets));
  }

  public boolean contains(String name) {
    return secrets.containsKey(name);
  }

  public Optional<Sealed> find(String name) {
    return Optional.ofNullable(secrets.get(name));
  }

  /** The names, in order. */
  public List<String> names() {
    return List.copyOf(secrets.keySet());
  }

  /** This state with {@code name} set to {@code value}. */
  public SecretState with(String name, Sealed value) {
    TreeMap<String, Sealed> copy = new TreeMap<>(secrets);
    copy.put(name, value);
    return new SecretState(copy);
  }

  /** This state without {@code name}. */
  public SecretState without(String name) {
    TreeMap<String, Sealed> copy = new TreeMap<>(secrets);
    copy.remove(name);
    return new SecretState(copy);
  }
}
