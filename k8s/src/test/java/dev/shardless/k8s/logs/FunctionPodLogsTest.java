package dev.shardless.k8s.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardless.scheduler.model.FunctionId;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link FunctionPodLogs} against fabric8's API-server mock with recorded answers: which requests
 * it makes ({@code sinceTime}, {@code tailLines}, {@code timestamps}; no pod lookup before a read)
 * and what it does with them.
 */
@EnableKubernetesMockClient
class FunctionPodLogsTest {
  private static final String NS = "openfaas-fn";
  private static final String PODS = "/api/v1/namespaces/" + NS + "/pods";
  private static final String LIST = PODS + "?labelSelector=faas_function%3Dhello";
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-22T09:00:00Z"), ZoneOffset.UTC);

  KubernetesClient client;
  KubernetesMockServer server;

  private static Pod pod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .addToLabels("faas_function", "hello")
        .endMetadata()
        .build();
  }

  private void pods(String... names) {
    server
        .expect()
        .get()
        .withPath(LIST)
        .andReturn(
            200,
            new PodListBuilder()
                .withItems(java.util.Arrays.stream(names).map(FunctionPodLogsTest::pod).toList())
                .build())
        .once();
  }

  private void log(String pod, String query, int status, String body) {
    server
        .expect()
        .get()
        .withPath(PODS + "/" + pod + "/log?container=function&timestamps=true" + query)
        .andReturn(status, body)
        .once();
  }

  private FunctionPodLogs logs(String instance, Instant since, int tail) {
    return new FunctionPodLogs(client, new FunctionId(NS, "hello"), instance, since, tail, CLOCK);
  }

  @Test
  void mergesThePodsLinesByTimeAndFollowsFromTheLastLineOfEachPod() {
    pods("hello-a", "hello-b", "hello-c");
    log(
        "hello-a",
        "&tailLines=2",
        200,
        "2026-11-22T08:00:01Z a1\n" + "2026-11-22T08:00:03.5Z a2\n");
    log("hello-b", "&tailLines=2", 200, "2026-11-22T08:00:02Z b1\n");
    log("hello-c", "&tailLines=2", 400, "waiting to start");
    FunctionPodLogs logs = logs(null, null, 2);

    assertThat(logs.poll())
        .extracting(l -> l.pod() + ":" + l.text())
        .containsExactly("hello-a:a1", "hello-b:b1", "hello-a:a2");

    pods("hello-a", "hello-c", "hello-d");
    log(
        "hello-a",
        "&sinceTime=2026-11-22T08%3A00%3A03Z",
        200,
        "2026-11-22T08:00:03.5Z a2\n2026-11-22T08:00:04Z a3\n");
    log("hello-c", "", 200, "2026-11-22T08:00:05Z c1\n");
    log("hello-d", "", 200, "2026-11-22T08:00:04.5Z d1\n");

    assertThat(logs.poll())
        .as("a2 is not repeated; a pod that started meanwhile is read from its start")
        .extracting(l -> l.pod() + ":" + l.text())
        .containsExactly("hello-a:a3", "hello-d:d1", "hello-c:c1");
  }

  @Test
  void sinceAndInstanceNarrowTheReads() {
    pods("hello-a", "hello-b");
    log(
        "hello-b",
        "&sinceTime=2026-11-22T08%3A00%3A02Z",
        200,
        "2026-11-22T08:00:02.1Z early\n2026-11-22T08:00:02.7Z b2\n");

    List<PodLogLine> lines = logs("hello-b", Instant.parse("2026-11-22T08:00:02.5Z"), 0).poll();

    assertThat(lines).extracting(PodLogLine::text).containsExactly("b2");
  }

  @Test
  void aRefusalOtherThanNotStartedOrGoneIsThrown() {
    pods("hello-a");
    log("hello-a", "", 403, "forbidden");

    assertThatThrownBy(() -> logs(null, null, 0).poll())
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
  }
}
