package dev.shardless.cluster.kubernetes;

import com.typesafe.config.Config;
import dev.shardless.cluster.gateway.LogSource;
import dev.shardless.cluster.gateway.Unavailable;
import dev.shardless.invoker.logs.LogLine;
import dev.shardless.k8s.logs.FunctionPodLogs;
import dev.shardless.k8s.logs.PodLogLine;
import dev.shardless.scheduler.model.FunctionId;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /system/logs} on Kubernetes: the container logs of the function's pods ({@link
 * FunctionPodLogs}, through the API server's {@code pods/log}), each pod one instance. A follower
 * polls every {@code shardless.k8s.logs.follow-poll-interval}: one pod list and one log read per
 * pod each time. A request the API server refuses or does not answer becomes {@link Unavailable} (a
 * 503 naming the reason; a follower's stream ends).
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
      List<PodLogLine> read;
      try {
        read = pods.poll();
      } catch (KubernetesClientException e) {
        throw new Unavailable(
            "the Kubernetes API server did not give the pod logs of "
                + function.name()
                + "."
                + function.namespace()
                + ": "
                + (e.getCode() > 0 ? e.getCode() + " " : "")
                + (e.getStatus() != null && e.getStatus().getMessage() != null
                    ? e.getStatus().getMessage()
                    : e.getMessage()),
            e);
      }
      List<LogLine> lines = new ArrayList<>(read.size());
      for (PodLogLine l : read) {
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
