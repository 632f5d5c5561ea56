package dev.shardless.cluster.kubernetes;

import com.typesafe.config.Config;
import dev.shardless.cluster.gateway.LogSource;
import dev.shardless.invoker.logs.LogLine;
import dev.shardless.k8s.logs.FunctionPodLogs;
import dev.shardless.k8s.logs.PodLogLine;
import dev.shardless.scheduler.model.FunctionId;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /system/logs} on Kubernetes: the container logs of the function's pods ({@link
 * FunctionPodLogs}, through the API server's {@code pods/log}), each pod one instance. A follower
 * polls every {@code shardless.k8s.logs.follow-poll-interval}: one pod list and one log read per
 * pod each time.
 */
final class KubernetesLogSource implements LogSource {
  static final String POLL_KEY = "shardless.k8s.logs.follow-poll-interval";

  private final KubernetesClient client;
  private final Duration interval;

  KubernetesLogSource(KubernetesClient client, Config config) {
    this.client = client;
    this.interval = config.getDuration(POLL_KEY);
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException(POLL_KEY + " must be > 0, was " + interval);
    }
  }

  @Override
  public Cursor open(FunctionId function, String instance, Instant since, int tail) {
    FunctionPodLogs pods =
        new FunctionPodLogs(client, function, instance, since, tail, Clock.systemUTC());
    return () -> {
      List<LogLine> lines = new ArrayList<>();
      for (PodLogLine l : pods.poll()) {
        lines.add(new LogLine(l.pod(), l.timestamp(), l.text()));
      }
      return lines;
    };
  }

  @Override
  public Duration followPollInterval() {
    return interval;
  }
}
