package dev.shardless.persistence.registry;

import dev.shardless.scheduler.CborSerializable;
import dev.shardless.scheduler.model.FunctionRecord;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The state of one namespace's {@link FunctionRegistry}: the live functions ordered by name, and
 * the highest version ever given to each name, deleted or not. Immutable; every change copies (O(n)
 * per change, fine for the hundreds to low thousands of functions a namespace holds). It is also
 * the snapshot, so it is {@link CborSerializable}.
 *
 * <p>Versions never go back: a function deployed (v1), updated (v2), deleted (v3) and deployed
 * again gets v4, so a {@code FunctionEntity} that still runs v2 accepts v4 and ignores a late v2.
 * {@code lastVersions} keeps an entry for every name ever deployed in the namespace.
 *
 * @param functions the live functions by name
 * @param lastVersions the highest version given to each name (a deletion consumes one)
 */
public record RegistryState(
    SortedMap<String, FunctionRecord> functions, Map<String, Long> lastVersions)
    implements CborSerializable {

  /** No functions, no history. */
  public static final RegistryState EMPTY = new RegistryState(null, null);

  public RegistryState {
    functions =
        Collections.unmodifiableSortedMap(
            functions == null ? new TreeMap<>() : new TreeMap<>(functions));
    lastVersions =
        Collections.unmodifiableMap(lastVersions == null ? Map.of() : new HashMap<>(lastVersions));
  }

  /** The live function called {@code name}. */
  public Optional<FunctionRecord> find(String name) {
    return Optional.ofNullable(functions.get(name));
  }

  /** The live functions, ordered by name. */
  public List<FunctionRecord> all() {
    return List.copyOf(functions.values());
  }

  /** The version the next change of {@code name} gets: one more than any before, 1 at first. */
  public long nextVersion(String name) {
    return lastVersions.getOrDefault(name, 0L) + 1;
  }

  /** This state with {@code record} deployed or updated. */
  public RegistryState withFunction(FunctionRecord record) {
    String name = record.spec().id().name();
    TreeMap<String, FunctionRecord> newFunctions = new TreeMap<>(functions);
    newFunctions.put(name, record);
    return new RegistryState(newFunctions, withVersion(name, record.version()));
  }

  /** This state with {@code name} deleted; the deletion consumed {@code version}. */
  public RegistryState withoutFunction(String name, long version) {
    TreeMap<String, FunctionRecord> newFunctions = new TreeMap<>(functions);
    newFunctions.remove(name);
    return new RegistryState(newFunctions, withVersion(name, version));
  }

  private Map<String, Long> withVersion(String name, long version) {
    Map<String, Long> versions = new HashMap<>(lastVersions);
    versions.merge(name, version, Math::max);
    return versions;
  }
}
