package dev.shardless.k8s.logs;

import dev.shardless.k8s.Conventions;
import dev.shardless.k8s.operator.FunctionObjects;
import dev.shardless.scheduler.model.FunctionId;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.URLUtils;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
 * pods are gone, as with {@code kubectl logs}. Cost of one poll: one pod list, one log read per
 * pod; each request bounded by the client's request timeout.
 */
public final class FunctionPodLogs {
  private static final long DEFAULT_TIMEOUT_MILLIS = 10_000;

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

  /**
   * One pod's lines from {@code from} (null: all), its last {@code lines} when > 0: {@code GET
   * .../pods/{pod}/log?container=function&timestamps=true[&sinceTime=…][&tailLines=…]}, sent with
   * the client's HTTP client (its credentials) rather than fabric8's {@code getLog()}, which first
   * looks the pod up and waits for it to be Ready: one request per pod and read.
   */
  private List<PodLogLine> read(String pod, Instant from, int lines) {
    StringBuilder url =
        new StringBuilder(
                URLUtils.join(
                    client.getMasterUrl().toString(),
                    "api",
                    "v1",
                    "namespaces",
                    function.namespace(),
                    "pods",
                    pod,
                    "log"))
            .append("?container=")
            .append(FunctionObjects.CONTAINER)
            .append("&timestamps=true");
    if (from != null) {
      url.append("&sinceTime=")
          .append(URLEncoder.encode(KubeletLogLines.sinceTime(from), StandardCharsets.UTF_8));
    }
    if (lines > 0) {
      url.append("&tailLines=").append(lines);
    }
    HttpClient http = client.getHttpClient();
    HttpResponse<String> response;
    try {
      response =
          http.sendAsync(http.newHttpRequestBuilder().uri(url.toString()).build(), String.class)
              .get(timeoutMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KubernetesClientException("interrupted while reading the log of pod " + pod, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KubernetesClientException(
          "cannot read the log of pod " + pod + ": " + e.getMessage(), e);
    }
    if (response.code() == 400 || response.code() == 404) {
      return List.of(); // its container has not started yet, or it is gone
    }
    if (!response.isSuccessful()) {
      String body = response.body() == null ? "" : response.body().strip();
      throw new KubernetesClientException(
          "reading the log of pod " + pod + " was refused: " + body, response.code(), null);
    }
    return KubeletLogLines.parse(pod, response.body(), clock.instant());
  }

  private long timeoutMillis() {
    Integer configured = client.getConfiguration().getRequestTimeout();
    return configured != null && configured > 0 ? configured : DEFAULT_TIMEOUT_MILLIS;
  }
}
