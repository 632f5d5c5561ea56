package dev.shardless.k8s.logs;

import dev.shardless.k8s.Conventions;
import dev.shardless.k8s.operator.FunctionObjects;
import dev.shardless.scheduler.model.FunctionId;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.PrettyLoggable;
import io.fabric8.kubernetes.client.dsl.TailPrettyLoggable;
import io.fabric8.kubernetes.client.dsl.TimeTailPrettyLoggable;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The container logs ({@code function} container) of one function's pods, read through the API
 * server's {@code pods/log} subresource with {@code timestamps=true}: a cursor for one {@code GET
 * /system/logs} request, like the local platform's file reader. Blocking (fabric8 requests): call
 * it off the dispatcher threads. Not thread-safe.
 *
 * <p>{@link #poll()} lists the function's pods (label {@code faas_function}, one pod when {@code
 * instance} is set) and returns the lines each wrote since the previous call, ordered by time. The
 * first call reads each pod's log from {@code since} (whole log when null), its last {@code tail}
 * lines when {@code tail > 0}; later calls read each pod from the last line delivered ({@link
 * PodLogCursor}), and a pod that appeared meanwhile from {@code since} (its whole log when null). A
 * pod whose container has not started, or that went away, has no lines (the API server answers 400
 * or 404); other failures (403 without {@code pods/log} permission) are thrown. Logs of deleted
 * pods are gone, as with {@code kubectl logs}.
 */
public final class FunctionPodLogs {
  private final KubernetesClient client;
  private final FunctionId function;
  private final String instance;
  private final Instant since;
  private final int tail;
  private final Clock clock;
  private final Map<String, PodLogCursor> cursors = new HashMap<>();
  private boolean first = true;

  /**
   * @param instance one pod's name, or null for all the function's pods
   * @param since lines before it are never returned; null: no limit
   * @param tail on the first poll, at most this many last lines per pod ({@code <= 0}: all)
   */
  public FunctionPodLogs(
      KubernetesClient client,
      FunctionId function,
      String instance,
      Instant since,
      int tail,
      Clock clock) {
    this.client = client;
    this.function = function;
    this.instance = instance;
    this.since = since;
    this.tail = tail;
    this.clock = clock;
  }

  /** The lines written since the last call, ordered by time (stable for equal times). */
  public List<PodLogLine> poll() {
    Map<String, PodLogCursor> seen = new HashMap<>();
    List<PodLogLine> lines = new ArrayList<>();
    for (String pod : pods()) {
      PodLogCursor cursor = cursors.getOrDefault(pod, new PodLogCursor(since));
      seen.put(pod, cursor);
      lines.addAll(cursor.advance(read(pod, cursor.position(), first ? tail : 0)));
    }
    cursors.clear();
    cursors.putAll(seen);
    first = false;
    lines.sort(Comparator.comparing(PodLogLine::timestamp));
    return lines;
  }

  private List<String> pods() {
    List<String> names = new ArrayList<>();
    for (Pod p :
        client
            .pods()
            .inNamespace(function.namespace())
            .withLabel(Conventions.FUNCTION_LABEL, function.name())
            .list()
            .getItems()) {
      String name = p.getMetadata().getName();
      if (instance == null || instance.equals(name)) {
        names.add(name);
      }
    }
    names.sort(Comparator.naturalOrder());
    return names;
  }

  /** One pod's lines from {@code from} (null: all), its last {@code lines} when > 0. */
  private List<PodLogLine> read(String pod, Instant from, int lines) {
    TimeTailPrettyLoggable log =
        client
            .pods()
            .inNamespace(function.namespace())
            .withName(pod)
            .inContainer(FunctionObjects.CONTAINER)
            .usingTimestamps();
    TailPrettyLoggable timed = from == null ? log : log.sinceTime(KubeletLogLines.sinceTime(from));
    PrettyLoggable tailed = lines > 0 ? timed.tailingLines(lines) : timed;
    String body;
    try {
      body = tailed.getLog();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 400 || e.getCode() == 404) {
        return List.of(); // not started yet, or gone
      }
      throw e;
    }
    return KubeletLogLines.parse(pod, body, clock.instant());
  }
}
