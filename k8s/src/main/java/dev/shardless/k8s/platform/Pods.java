package dev.shardless.k8s.platform;

import dev.shardless.k8s.Conventions;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.Map;

/** Reads a fabric8 {@link Pod} into the {@link PodView} the pure {@link PodBook} decides on. */
final class Pods {
  private Pods() {}

  /** The view of {@code pod}; {@code markValue} is the deletion cost the platform writes. */
  static PodView view(Pod pod, int markValue) {
    PodStatus status = pod.getStatus();
    String phase = status == null ? null : status.getPhase();
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String cost = annotations == null ? null : annotations.get(Conventions.POD_DELETION_COST);
    return new PodView(
        pod.getMetadata().getName(),
        ready(status),
        status == null ? null : status.getPodIP(),
        port(pod),
        pod.getMetadata().getDeletionTimestamp() != null,
        "Failed".equals(phase) || "Succeeded".equals(phase),
        String.valueOf(markValue).equals(cost),
        annotations == null ? null : annotations.get(Conventions.SPEC_VERSION_ANNOTATION));
  }

  /** The function named by the pod's {@code faas_function} label, or null. */
  static String function(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return labels == null ? null : labels.get(Conventions.FUNCTION_LABEL);
  }

  private static boolean ready(PodStatus status) {
    if (status == null || status.getConditions() == null) {
      return false;
    }
    for (PodCondition c : status.getConditions()) {
      if ("Ready".equals(c.getType())) {
        return "True".equals(c.getStatus());
      }
    }
    return false;
  }

  /** The container port named {@code http}, else {@link Conventions#FUNCTION_PORT}. */
  private static int port(Pod pod) {
    if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
      return Conventions.FUNCTION_PORT;
    }
    for (Container c : pod.getSpec().getContainers()) {
      if (c.getPorts() == null) {
        continue;
      }
      for (ContainerPort p : c.getPorts()) {
        if (Conventions.FUNCTION_PORT_NAME.equals(p.getName()) && p.getContainerPort() != null) {
          return p.getContainerPort();
        }
      }
    }
    return Conventions.FUNCTION_PORT;
  }
}
