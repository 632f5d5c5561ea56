package dev.shardless.scheduler.policy.keepalive;

import dev.shardless.scheduler.model.FieldError;
import dev.shardless.scheduler.model.GoDuration;
import dev.shardless.scheduler.model.ScalingSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Picks a function's keep-alive policy from its labels, and the replay's policies from their names.
 *
 * <table>
 *   <caption>Labels</caption>
 *   <tr><th>label</th><th>values</th><th>default</th></tr>
 *   <tr><td>{@code shardless.keepalive}</td><td>{@code fixed}, {@code adaptive}, {@code
 *       hybrid}</td><td>{@code fixed}</td></tr>
 *   <tr><td>{@code com.openfaas.scale.zero-duration}</td><td>Go duration</td><td>15m: the fixed
 *       keep-alive, and for {@code adaptive} its idle budget per avoided cold start</td></tr>
 * </table>
 */
public final class KeepAlivePolicies {
  /** The label that selects the policy. */
  public static final String LABEL = "shardless.keepalive";

  private KeepAlivePolicies() {}

  /** The policy the labels ask for, or what is wrong with them, naming each bad label. */
  public sealed interface Choice {}

  /** The labels are valid. */
  public record Chosen(KeepAlivePolicy policy) implements Choice {}

  /** At least one label is invalid. */
  public record Invalid(List<FieldError> errors) implements Choice {
    public Invalid {
      errors = List.copyOf(errors);
    }
  }

  /** Reads {@value #LABEL} and {@code com.openfaas.scale.zero-duration}. */
  public static Choice fromLabels(Map<String, String> labels) {
    List<FieldError> errors = new ArrayList<>();
    Duration zeroDuration = ScalingSpec.DEFAULT.zeroDuration();
    String zd = labels.get(ScalingSpec.ZERO_DURATION);
    if (zd != null) {
      Optional<Duration> parsed = GoDuration.parse(zd);
      if (parsed.isEmpty()) {
        errors.add(
            new FieldError(
                "labels." + ScalingSpec.ZERO_DURATION,
                "must be a duration like '30s' or '15m', was '" + zd + "'"));
      } else {
        zeroDuration = parsed.get();
      }
    }
    String kind = labels.getOrDefault(LABEL, "fixed").trim().toLowerCase(Locale.ROOT);
    KeepAlivePolicy policy =
        switch (kind) {
          case "fixed" -> new Fixed(zeroDuration);
          case "adaptive" ->
              Adaptive.withBudget(zeroDuration.isZero() ? Adaptive.DEFAULT_BUDGET : zeroDuration);
          case "hybrid" -> HybridHistogram.PAPER;
          default -> {
            errors.add(
                new FieldError(
                    "labels." + LABEL,
                    "must be 'fixed', 'adaptive' or 'hybrid', was '" + labels.get(LABEL) + "'"));
            yield null;
          }
        };
    return errors.isEmpty() ? new Chosen(policy) : new Invalid(errors);
  }

  /**
   * A policy by its replay name: {@code fixed-<duration>} (e.g. {@code fixed-10m}), {@code hybrid}
   * (the paper's parameters), {@code adaptive} (budget 10m, comparable with {@code fixed-10m}) or
   * {@code adaptive-<duration>} (that budget).
   *
   * @throws IllegalArgumentException naming the bad name
   */
  public static KeepAlivePolicy byName(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.equals("hybrid")) {
      return HybridHistogram.PAPER;
    }
    if (n.equals("adaptive")) {
      return Adaptive.withBudget(Adaptive.DEFAULT_BUDGET);
    }
    for (String prefix : List.of("fixed-", "adaptive-")) {
      if (n.startsWith(prefix)) {
        Optional<Duration> d = GoDuration.parse(n.substring(prefix.length()));
        if (d.isPresent() && (prefix.equals("fixed-") || !d.get().isZero())) {
          return prefix.equals("fixed-") ? new Fixed(d.get()) : Adaptive.withBudget(d.get());
        }
        throw new IllegalArgumentException(
            "policy '"
                + name
                + "': '"
                + n.substring(prefix.length())
                + "' is not a duration"
                + (prefix.equals("adaptive-") ? " > 0" : "")
                + " like 10m");
      }
    }
    throw new IllegalArgumentException(
        "unknown policy '"
            + name
            + "': use fixed-<duration> (e.g. fixed-10m), hybrid, adaptive"
            + " or adaptive-<duration>");
  }
}
