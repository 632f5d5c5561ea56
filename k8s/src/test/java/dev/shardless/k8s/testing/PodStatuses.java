package dev.shardless.k8s.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Instant;
import java.util.List;

/**
 * The pod status a kubelet would report, as a pure function of what the stand-in kubelet observed
 * of the pod's process. Every container of the pod shares the state of the one process (the first
 * container's {@code fprocess}).
 */
final class PodStatuses {
  /** The stand-in's node address, reported as every pod's {@code hostIP}. */
  static final String HOST_IP = "127.0.0.1";

  private PodStatuses() {}

  /**
   * What the stand-in kubelet knows of one pod's process.
   *
   * @param podIp the pod's loopback address
   * @param startTime when the kubelet took the pod on
   * @param runningSince when the current process became ready; null while it is not running
   * @param restarts how many times the process was restarted after it was lost
   * @param waitingReason why the container is not running (null when running)
   * @param waitingMessage details of {@code waitingReason}
   * @param lastTerminated how the previous process ended; null before the first loss
   */
  record Observed(
      String podIp,
      Instant startTime,
      Instant runningSince,
      int restarts,
      String waitingReason,
      String waitingMessage,
      ContainerStateTerminated lastTerminated) {
    boolean ready() {
      return runningSince != null;
    }
  }

  /**
   * The status: phase Running once the process ran (or restarts), else Pending; Ready and
   * ContainersReady while it runs; the pod's address as {@code podIP}/{@code podIPs}.
   */
  static PodStatus of(Pod pod, Observed o) {
    String now = Instant.now().toString();
    String ready = o.ready() ? "True" : "False";
    List<PodCondition> conditions =
        List.of(
            condition("PodScheduled", "True", now),
            condition("Initialized", "True", now),
            condition("ContainersReady", ready, now),
            condition("Ready", ready, now));
    List<ContainerStatus> containers =
        pod.getSpec().getContainers().stream().map(c -> container(pod, c, o)).toList();
    return new PodStatusBuilder()
        .withPhase(o.ready() || o.restarts() > 0 ? "Running" : "Pending")
        .withHostIP(HOST_IP)
        .withPodIP(o.podIp())
        .withPodIPs(new PodIPBuilder().withIp(o.podIp()).build())
        .withStartTime(o.startTime().toString())
        .withConditions(conditions)
        .withContainerStatuses(containers)
        .build();
  }

  /** True when {@code pod}'s status in the API already says what {@code o} says. */
  static boolean matches(Pod pod, Observed o) {
    PodStatus s = pod.getStatus();
    if (s == null || !o.podIp().equals(s.getPodIP())) {
      return false;
    }
    boolean apiReady =
        s.getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    Integer apiRestarts =
        s.getContainerStatuses().isEmpty()
            ? null
            : s.getContainerStatuses().get(0).getRestartCount();
    return apiReady == o.ready() && apiRestarts != null && apiRestarts == o.restarts();
  }

  private static ContainerStatus container(Pod pod, Container c, Observed o) {
    ContainerState state =
        o.ready()
            ? new ContainerStateBuilder()
                .withNewRunning()
                .withStartedAt(o.runningSince().toString())
                .endRunning()
                .build()
            : new ContainerStateBuilder()
                .withNewWaiting()
                .withReason(o.waitingReason())
                .withMessage(o.waitingMessage())
                .endWaiting()
                .build();
    ContainerStatusBuilder b =
        new ContainerStatusBuilder()
            .withName(c.getName())
            .withImage(c.getImage() == null ? "" : c.getImage())
            .withImageID("")
            .withContainerID(
                "standin://"
                    + pod.getMetadata().getNamespace()
                    + "/"
                    + pod.getMetadata().getName()
                    + "/"
                    + o.restarts())
            .withReady(o.ready())
            .withStarted(o.ready())
            .withRestartCount(o.restarts())
            .withState(state);
    if (o.lastTerminated() != null) {
      b.withNewLastState().withTerminated(o.lastTerminated()).endLastState();
    }
    return b.build();
  }

  private static PodCondition condition(String type, String status, String now) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withLastTransitionTime(now)
        .withLastProbeTime(null)
        .build();
  }
}
