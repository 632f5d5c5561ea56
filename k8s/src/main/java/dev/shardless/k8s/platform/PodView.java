package dev.shardless.k8s.platform;

/**
 * What the platform's decisions need to know of one pod of a function, read from the informer's
 * cache (see {@link Pods#view}). Free of fabric8 types so {@link PodBook} stays pure.
 *
 * @param name the pod's name (unique within the function's namespace)
 * @param ready the pod's {@code Ready} condition is {@code True}
 * @param ip the pod's IP, or null before the kubelet has set one
 * @param port the container port named {@code http} (8080 when none is named so)
 * @param terminating the pod has a {@code deletionTimestamp}: it is on its way out
 * @param failed the pod's phase is {@code Failed} or {@code Succeeded}: it will not serve again
 * @param marked the pod carries the platform's low {@code pod-deletion-cost}
 * @param specVersion the pod's {@code shardless.dev/spec-version} annotation: the {@link
 *     dev.shardless.k8s.SpecVersion} of the spec the pod was built from, or null when it has none
 */
public record PodView(
    String name,
    boolean ready,
    String ip,
    int port,
    boolean terminating,
    boolean failed,
    boolean marked,
    String specVersion) {

  /** Ready condition True, an IP, not terminating, not finished: a request may go to it. */
  public boolean serving() {
    return ready && ip != null && !ip.isEmpty() && !terminating && !failed;
  }

  /**
   * Counted by the ReplicaSet against the Deployment's replicas (not terminating, not finished).
   */
  public boolean live() {
    return !terminating && !failed;
  }
}
