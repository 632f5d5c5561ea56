package dev.shardless.invoker.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuantitiesTest {
  @ParameterizedTest
  @CsvSource(
      nullValues = "null",
      value = {
        "128Mi, 134217728",
        "1Gi, 1073741824",
        "64Ki, 65536",
        "1G, 1000000000",
        "500M, 500000000",
        "2k, 2000",
        "1000, 1000",
        "1.5Gi, 1610612736",
        "0.5Ki, 512",
        "' 128Mi ', 134217728",
        "0, -1",
        "-1Mi, -1",
        "abc, -1",
        "12Zi, -1",
        "Mi, -1",
        "'', -1",
        "null, -1",
        "9Ei, -1"
      })
  void parsesMemoryQuantities(String quantity, long bytes) {
    OptionalLong expected = bytes < 0 ? OptionalLong.empty() : OptionalLong.of(bytes);
    assertEquals(expected, Quantities.bytes(quantity));
  }

  @ParameterizedTest
  @CsvSource(
      nullValues = "null",
      value = {
        "500m, 0.5",
        "2, 2.0",
        "0.25, 0.25",
        "1500m, 1.5",
        "0, -1",
        "-1, -1",
        "m, -1",
        "x, -1",
        "NaN, -1",
        "'', -1",
        "null, -1"
      })
  void parsesCpuQuantities(String quantity, double cores) {
    OptionalDouble expected = cores < 0 ? OptionalDouble.empty() : OptionalDouble.of(cores);
    assertEquals(expected, Quantities.cores(quantity));
  }
}
