package dev.shardless.k8s;

import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.Resources;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The version of a {@link FunctionSpec}: a fingerprint that is equal for equal specs and differs
 * when any field differs. The operator writes it on every pod it builds (annotation {@link
 * Conventions#SPEC_VERSION_ANNOTATION} on the Deployment's pod template), and the Kubernetes
 * platform binds a replica started with a spec only to pods carrying that spec's version, so calls
 * after an update never reach a pod of the old spec.
 *
 * <p>Formula: the first 16 hex digits (64 bits) of SHA-256 over a canonical serialisation of the
 * spec's fields in declaration order: each string as its UTF-8 length (4 bytes, big-endian; −1 for
 * an absent value) then its bytes; each list as its size then its elements in order; each map as
 * its size then its entries sorted by key; the boolean as one byte. Maps are sorted, so the order a
 * map was built in (a JSON body, a Kubernetes resource, a CBOR registry event) does not matter;
 * lists keep their order, since the order of secrets or constraints is part of what was deployed.
 * The encoding is prefix-free, so no two different specs serialise alike. Example: the spec of
 * SpecVersionTest (image {@code ghcr.io/openfaas/echo:1}, {@code envVars.DEBUG=0}, …) has version
 * {@code 072737d8254dd8e4}; with {@code DEBUG=1} instead it is {@code ace14b07fef4f171}.
 *
 * <p>The version must stay stable across releases for pods to keep being adopted after an upgrade:
 * changing this encoding makes every running pod look foreign until the operator's rollout replaces
 * it.
 */
public final class SpecVersion {
  /** Hex digits kept of the digest: 64 bits, far below an annotation value's limit. */
  static final int HEX_DIGITS = 16;

  private SpecVersion() {}

  /** The version of {@code spec}. */
  public static String of(FunctionSpec spec) {
    Canonical c = new Canonical();
    c.string(spec.id().namespace());
    c.string(spec.id().name());
    c.string(spec.image());
    c.string(spec.envProcess());
    c.map(spec.envVars());
    c.list(spec.constraints());
    c.list(spec.secrets());
    c.map(spec.labels());
    c.map(spec.annotations());
    c.resources(spec.limits());
    c.resources(spec.requests());
    c.bool(spec.readOnlyRootFilesystem());
    return digest(c.bytes());
  }

  /**
   * The first {@value #HEX_DIGITS} hex digits of the SHA-256 of {@code data}: the form of every
   * hash Shardless writes on Kubernetes objects.
   */
  public static String digest(byte[] data) {
    try {
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(data);
      return HexFormat.of().formatHex(sha, 0, HEX_DIGITS / 2);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  /** The prefix-free byte encoding described on the class. */
  private static final class Canonical {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void string(String s) {
      if (s == null) {
        count(-1);
        return;
      }
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      count(b.length);
      out.writeBytes(b);
    }

    void list(List<String> list) {
      count(list.size());
      list.forEach(this::string);
    }

    void map(Map<String, String> map) {
      count(map.size());
      new TreeMap<>(map)
          .forEach(
              (k, v) -> {
                string(k);
                string(v);
              });
    }

    void resources(Resources r) {
      string(r.memory());
      string(r.cpu());
    }

    void bool(boolean b) {
      out.write(b ? 1 : 0);
    }

    private void count(int n) {
      out.writeBytes(ByteBuffer.allocate(Integer.BYTES).putInt(n).array());
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}
