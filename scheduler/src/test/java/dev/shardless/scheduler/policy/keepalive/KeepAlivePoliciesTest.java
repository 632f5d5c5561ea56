package dev.shardless.scheduler.policy.keepalive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shardless.scheduler.model.FieldError;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeepAlivePoliciesTest {

  static Map<String, String> labels(String kind, String zeroDuration) {
    Map<String, String> labels = new HashMap<>();
    if (!kind.isEmpty()) {
      labels.put(KeepAlivePolicies.LABEL, kind);
    }
    if (!zeroDuration.isEmpty()) {
      labels.put("com.openfaas.scale.zero-duration", zeroDuration);
    }
    return labels;
  }

  @ParameterizedTest(name = "keepalive={0} zero-duration={1} -> {2}")
  @CsvSource({
    "'', '', fixed-15m",
    "fixed, '', fixed-15m",
    "'', 30s, fixed-30s",
    "fixed, 2m, fixed-2m",
    "adaptive, '', adaptive-15m",
    "ADAPTIVE, 10m, adaptive",
    "adaptive, 1h, adaptive-1h",
    "adaptive, 0s, adaptive",
    "hybrid, '', hybrid",
  })
  void choosesFromLabels(String kind, String zeroDuration, String name) {
    KeepAlivePolicies.Choice c = KeepAlivePolicies.fromLabels(labels(kind, zeroDuration));
    assertEquals(name, ((KeepAlivePolicies.Chosen) c).policy().name());
  }

  @Test
  void adaptiveUsesZeroDurationAsTheCostOfAColdStart() {
    KeepAlivePolicies.Chosen c =
        (KeepAlivePolicies.Chosen) KeepAlivePolicies.fromLabels(labels("adaptive", "20m"));
    assertEquals(Duration.ofMinutes(20), ((Adaptive) c.policy()).coldStartCost());
  }

  @Test
  void namesEveryBadLabel() {
    KeepAlivePolicies.Choice c = KeepAlivePolicies.fromLabels(labels("smart", "soon"));
    List<String> fields =
        ((KeepAlivePolicies.Invalid) c).errors().stream().map(FieldError::field).toList();
    assertEquals(
        List.of("labels.com.openfaas.scale.zero-duration", "labels.shardless.keepalive"), fields);
    assertTrue(c.toString().contains("'smart'"), c.toString());
  }

  @ParameterizedTest
  @CsvSource({
    "fixed-10m, fixed-10m",
    "fixed-90s, fixed-1m30s",
    "hybrid, hybrid",
    "adaptive, adaptive",
    "adaptive-30m, adaptive-30m"
  })
  void findsReplayPoliciesByName(String name, String canonical) {
    assertEquals(canonical, KeepAlivePolicies.byName(name).name());
  }

  @ParameterizedTest
  @CsvSource({"fixed-soon, 'soon'", "adaptive-0s, '0s'", "lru, unknown policy"})
  void badPolicyNamesSayWhatIsWrong(String name, String fragment) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> KeepAlivePolicies.byName(name));
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }
}
