package dev.shardless.k8s.platform;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.shardless.scheduler.model.GoDuration;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code shardless.k8s.platform} settings of {@link KubernetesPlatform}, validated once. Every
 * key is optional; {@link #defaults()} gives the value used when it is absent.
 *
 * @param readinessTimeout {@code readiness-timeout} (default 5m, > 0): how long a started replica
 *     may wait for a Ready pod before it is lost; long enough for an image pull
 * @param deploymentWait {@code deployment-wait} (default 2m, > 0): how long scale writes retry
 *     while the function's Deployment does not exist yet (the operator creates it after a deploy);
 *     then the waiting replicas are lost naming the missing Deployment
 * @param adoptGrace {@code adopt-grace} (default 30s, > 0): after a new entity incarnation opens a
 *     function whose pods already run (hand-off, node restart), how long it may ask for nothing
 *     before its desired count (then 0) is written so the leftover pods go
 * @param deletionCost {@code deletion-cost} (default -2147483648, the lowest int32, must be < 0):
 *     the {@code controller.kubernetes.io/pod-deletion-cost} given to the pod a scale-down should
 *     remove (the drained replica's); unmarked pods have cost 0
 * @param retryBackoff {@code retry-backoff} (default 200ms, > 0): first delay before a failed scale
 *     write is retried; doubles on each failure
 * @param retryBackoffMax {@code retry-backoff-max} (default 10s, >= retry-backoff): largest delay
 *     between retries of a scale write
 * @param informerResync {@code informer-resync} (default 10m, >= 0; 0 disables): how often the
 *     shared pod informers replay their cache to the platform (a safety net; watches deliver
 *     changes as they happen)
 * @param watchReconnect {@code watch-reconnect} (default 100ms, > 0): the API client's first delay
 *     before a lost watch (the pod and Function informers') connects again; fabric8 doubles it on
 *     each failed attempt up to 32 times this (3.2s), which bounds how long after an API-server
 *     outage the node still misses pod changes
 */
public record KubernetesPlatformSettings(
    Duration readinessTimeout,
    Duration deploymentWait,
    Duration adoptGrace,
    int deletionCost,
    Duration retryBackoff,
    Duration retryBackoffMax,
    Duration informerResync,
    Duration watchReconnect) {

  public static final String PATH = "shardless.k8s.platform";

  private static final Config DEFAULTS =
      ConfigFactory.parseMap(
          Map.of(
              PATH + ".readiness-timeout", "5m",
              PATH + ".deployment-wait", "2m",
              PATH + ".adopt-grace", "30s",
              PATH + ".deletion-cost", Integer.MIN_VALUE,
              PATH + ".retry-backoff", "200ms",
              PATH + ".retry-backoff-max", "10s",
              PATH + ".informer-resync", "10m",
              PATH + ".watch-reconnect", "100ms"));

  public KubernetesPlatformSettings {
    requirePositive("readiness-timeout", readinessTimeout);
    requirePositive("deployment-wait", deploymentWait);
    requirePositive("adopt-grace", adoptGrace);
    if (deletionCost >= 0) {
      throw new IllegalArgumentException(
          PATH + ".deletion-cost must be < 0 (below unmarked pods), was " + deletionCost);
    }
    requirePositive("retry-backoff", retryBackoff);
    requirePositive("retry-backoff-max", retryBackoffMax);
    if (retryBackoffMax.compareTo(retryBackoff) < 0) {
      throw new IllegalArgumentException(
          PATH
              + ".retry-backoff-max must be >= retry-backoff ("
              + GoDuration.format(retryBackoff)
              + "), was "
              + GoDuration.format(retryBackoffMax));
    }
    if (informerResync == null || informerResync.isNegative()) {
      throw new IllegalArgumentException(
          PATH + ".informer-resync must be >= 0, was " + show(informerResync));
    }
    requirePositive("watch-reconnect", watchReconnect);
  }

  /** The defaults documented on each parameter. */
  public static KubernetesPlatformSettings defaults() {
    return fromConfig(ConfigFactory.empty());
  }

  /** Reads {@code shardless.k8s.platform} from the full configuration; absent keys default. */
  public static KubernetesPlatformSettings fromConfig(Config root) {
    Config c = root.withFallback(DEFAULTS).getConfig(PATH);
    return new KubernetesPlatformSettings(
        c.getDuration("readiness-timeout"),
        c.getDuration("deployment-wait"),
        c.getDuration("adopt-grace"),
        c.getInt("deletion-cost"),
        c.getDuration("retry-backoff"),
        c.getDuration("retry-backoff-max"),
        c.getDuration("informer-resync"),
        c.getDuration("watch-reconnect"));
  }

  /**
   * The delay before retry number {@code attempt} (1-based): {@code retry-backoff × 2^(attempt−1)},
   * capped at {@code retry-backoff-max}. Example with 200ms / 10s: 200ms, 400ms, 800ms, … 6.4s,
   * 10s, 10s.
   */
  public Duration backoff(int attempt) {
    int shift = Math.max(0, Math.min(attempt - 1, 30));
    long millis = retryBackoff.toMillis() << shift;
    if (millis <= 0 || millis >= retryBackoffMax.toMillis()) {
      return retryBackoffMax;
    }
    return Duration.ofMillis(millis);
  }

  private static void requirePositive(String key, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(PATH + "." + key + " must be > 0, was " + show(value));
    }
  }

  private static String show(Duration d) {
    return d == null ? "null" : d.isNegative() ? d.toString() : GoDuration.format(d);
  }
}
