package dev.shardless.k8s.testing;

import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.port.FunctionReplicas;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the stand-in kubelet keeps about one pod it runs: its address and forwarder, the replica
 * running its function, restarts. Touched only on the kubelet's own thread.
 */
final class PodRun {
  private static final Pattern EXIT_CODE = Pattern.compile("code (-?\\d+)");

  final String namespace;
  final String name;
  final String uid;
  final PodForwarder forwarder;
  final Instant startTime = Instant.now();
  final FunctionSpec spec;
  Pod pod;
  FunctionReplicas replicas;
  ReplicaId current;
  Instant runningSince;
  int restarts;
  String waitingReason = "ContainerCreating";
  String waitingMessage = "";
  ContainerStateTerminated lastTerminated;
  boolean terminating;
  ScheduledFuture<?> pendingRestart;

  PodRun(Pod pod, PodForwarder forwarder, FunctionSpec spec) {
    this.namespace = pod.getMetadata().getNamespace();
    this.name = pod.getMetadata().getName();
    this.uid = pod.getMetadata().getUid();
    this.forwarder = forwarder;
    this.spec = spec;
    this.pod = pod;
  }

  /** The next replica's id: the pod's name and its restart count. */
  ReplicaId nextReplica() {
    current = new ReplicaId(name + "-" + restarts);
    waitingReason = "ContainerCreating";
    waitingMessage = "";
    return current;
  }

  void running(InetSocketAddress process) {
    forwarder.target(process);
    runningSince = Instant.now();
  }

  /** The process was lost: not ready any more, one more restart, {@code reason} recorded. */
  void lost(String reason) {
    forwarder.target(null);
    Matcher m = EXIT_CODE.matcher(reason);
    lastTerminated =
        new ContainerStateTerminatedBuilder()
            .withExitCode(m.find() ? Integer.parseInt(m.group(1)) : 1)
            .withReason("Error")
            .withMessage(reason)
            .withStartedAt(runningSince == null ? null : runningSince.toString())
            .withFinishedAt(Instant.now().toString())
            .build();
    runningSince = null;
    restarts++;
    waitingReason = "CrashLoopBackOff";
    waitingMessage = reason;
  }

  PodStatuses.Observed observed() {
    return new PodStatuses.Observed(
        forwarder.address().getAddress().getHostAddress(),
        startTime,
        runningSince,
        restarts,
        waitingReason,
        waitingMessage,
        lastTerminated);
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
