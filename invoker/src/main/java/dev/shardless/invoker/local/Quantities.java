package dev.shardless.invoker.local;

import java.math.BigDecimal;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Kubernetes resource quantities as OpenFaaS {@code limits} carry them. Pure.
 *
 * <p>Memory: a number with an optional binary ({@code Ki Mi Gi Ti Pi Ei}) or decimal ({@code k M G
 * T P E}) suffix; {@code "128Mi"} = 134217728 bytes, {@code "1G"} = 1000000000. CPU: cores, or
 * millicores with {@code m}; {@code "500m"} = 0.5, {@code "2"} = 2.0.
 */
final class Quantities {
  private static final Map<String, Long> SUFFIX =
      Map.ofEntries(
          Map.entry("", 1L),
          Map.entry("Ki", 1L << 10),
          Map.entry("Mi", 1L << 20),
          Map.entry("Gi", 1L << 30),
          Map.entry("Ti", 1L << 40),
          Map.entry("Pi", 1L << 50),
          Map.entry("Ei", 1L << 60),
          Map.entry("k", 1_000L),
          Map.entry("M", 1_000_000L),
          Map.entry("G", 1_000_000_000L),
          Map.entry("T", 1_000_000_000_000L),
          Map.entry("P", 1_000_000_000_000_000L),
          Map.entry("E", 1_000_000_000_000_000_000L));

  private Quantities() {}

  /** Bytes of a memory quantity; empty when absent, unparsable, not positive or too large. */
  static OptionalLong bytes(String quantity) {
    if (quantity == null || quantity.isBlank()) {
      return OptionalLong.empty();
    }
    String q = quantity.trim();
    int end = q.length();
    while (end > 0 && Character.isLetter(q.charAt(end - 1))) {
      end--;
    }
    Long unit = SUFFIX.get(q.substring(end));
    if (unit == null) {
      return OptionalLong.empty();
    }
    try {
      BigDecimal v = new BigDecimal(q.substring(0, end)).multiply(BigDecimal.valueOf(unit));
      if (v.signum() <= 0 || v.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(v.setScale(0, java.math.RoundingMode.CEILING).longValueExact());
    } catch (NumberFormatException | ArithmeticException e) {
      return OptionalLong.empty();
    }
  }

  /** Cores of a CPU quantity; empty when absent, unparsable or not positive. */
  static OptionalDouble cores(String quantity) {
    if (quantity == null || quantity.isBlank()) {
      return OptionalDouble.empty();
    }
    String q = quantity.trim();
    boolean milli = q.endsWith("m");
    try {
      double v = Double.parseDouble(milli ? q.substring(0, q.length() - 1) : q);
      if (Double.isNaN(v) || Double.isInfinite(v) || v <= 0) {
        return OptionalDouble.empty();
      }
      return OptionalDouble.of(milli ? v / 1000 : v);
    } catch (NumberFormatException e) {
      return OptionalDouble.empty();
    }
  }
}
