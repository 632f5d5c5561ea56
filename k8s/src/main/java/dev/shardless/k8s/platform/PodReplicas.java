package dev.shardless.k8s.platform;

import dev.shardless.k8s.SpecVersion;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.port.FunctionReplicas;
import dev.shardless.scheduler.port.ReplicaEndpoint;
import dev.shardless.scheduler.port.ReplicaEvents;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pods of one function for one entity incarnation: the effects around its {@link PodBook}.
 * Every method returns at once; the book is guarded by this object's lock, events are reported
 * under it (the entity's {@link ReplicaEvents} only sends itself a message), Kubernetes writes go
 * through the {@link ScaleWriter} or the platform's blocking executor.
 *
 * <p>{@link #close()} writes nothing: the Deployment keeps its replicas, so the next incarnation
 * (on this node or another) adopts the Ready pods instead of cold-starting them. What was asked
 * before the close still happens (a scale write under way, the deletion of a drained pod after its
 * grace), but nothing is reported any more.
 */
final class PodReplicas implements FunctionReplicas, ScaleWriter.Owner {
  private static final Logger log = LoggerFactory.getLogger(PodReplicas.class);

  private final KubernetesPlatform platform;
  private final FunctionId function;
  private final ReplicaEvents events;
  private final PodBook book = new PodBook();
  private final ScaleWriter writer;
  private boolean closed;

  PodReplicas(KubernetesPlatform platform, FunctionId function, ReplicaEvents events) {
    this.platform = platform;
    this.function = function;
    this.events = events;
    this.writer = new ScaleWriter(platform, function, this);
  }

  FunctionId function() {
    return function;
  }

  /**
   * Writes the desired count after the adopt grace unless this incarnation asked for something
   * meanwhile, so pods nobody adopts go.
   */
  void armAdoption() {
    platform.after(platform.settings().adoptGrace(), this::adoptGraceOver);
  }

  private void adoptGraceOver() {
    synchronized (this) {
      if (closed || writer.requested()) {
        return;
      }
    }
    log.debug("{}: adopt grace over, writing the desired count", function);
    writer.request();
  }

  /** Starts {@code id}, to be served by a pod built from {@code spec} (see {@link SpecVersion}). */
  @Override
  public void start(ReplicaId id, FunctionSpec spec) {
    String version = SpecVersion.of(Objects.requireNonNull(spec, "spec"));
    synchronized (this) {
      if (closed) {
        log.warn("Ignoring start of replica {} of {}: its replica set is closed", id, function);
        return;
      }
      if (platform.isShutDown()) {
        events.lost(id, "the node is shutting down");
        return;
      }
      if (!book.start(id, version, platform.clock().instant())) {
        log.warn("Ignoring start of replica {} of {}: it is already known", id, function);
        return;
      }
      report(book.observe(platform.pods(function)));
    }
    writer.request();
    platform.after(platform.settings().readinessTimeout(), this::expirePending);
  }

  @Override
  public void stop(ReplicaId id, Duration grace) {
    PodBook.StopOutcome outcome;
    synchronized (this) {
      outcome = book.stop(id);
      if (outcome instanceof PodBook.Unknown || outcome instanceof PodBook.WasPending) {
        if (!closed) {
          events.stopped(id);
        }
      }
    }
    if (outcome instanceof PodBook.WasPending) {
      requestWrite();
    } else if (outcome instanceof PodBook.Draining d) {
      log.debug("{}: stopping {} on pod {}", function, id, d.pod());
      requestWrite();
      platform.after(grace, () -> graceOver(id));
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    platform.closed(this);
  }

  /** The informer saw a change among this function's pods. */
  void podsChanged() {
    PodBook.Changes changes;
    synchronized (this) {
      if (closed) {
        return;
      }
      changes = book.observe(platform.pods(function));
      report(changes);
    }
    if (!changes.lost().isEmpty()) {
      requestWrite();
    }
  }

  private void expirePending() {
    List<PodBook.Loss> lost;
    synchronized (this) {
      if (closed) {
        return;
      }
      lost = book.expire(platform.clock().instant(), platform.settings().readinessTimeout());
      lost.forEach(this::reportLost);
    }
    if (!lost.isEmpty()) {
      requestWrite();
    }
  }

  /** The stop's grace passed and the pod is still there: delete it, then report stopped. */
  private void graceOver(ReplicaId id) {
    String pod;
    synchronized (this) {
      pod = book.overdue(id);
    }
    if (pod == null) {
      return;
    }
    log.info("{}: pod {} of {} still there after its grace, deleting it", function, pod, id);
    platform.deletePod(function.namespace(), pod);
    synchronized (this) {
      if (!closed) {
        events.stopped(id);
      }
    }
  }

  private void requestWrite() {
    synchronized (this) {
      if (closed) {
        return; // a closed set scales nothing (hand-off keeps the pods for the next incarnation)
      }
    }
    writer.request();
  }

  @Override
  public synchronized ScaleWriter.Plan plan() {
    return new ScaleWriter.Plan(book.desired(), book.toMark(platform.pods(function)));
  }

  @Override
  public synchronized void deploymentMissing(String reason) {
    List<PodBook.Loss> lost = book.loseAllPending(reason);
    if (!closed) {
      lost.forEach(this::reportLost);
    }
  }

  private void report(PodBook.Changes changes) {
    for (PodBook.Binding b : changes.bound()) {
      log.debug("{}: {} bound to pod {} at {}:{}", function, b.id(), b.pod(), b.host(), b.port());
      if (b.unmark()) {
        platform.unmarkLater(function.namespace(), b.pod());
      }
      events.ready(b.id(), new ReplicaEndpoint(b.host(), b.port()));
    }
    changes.lost().forEach(this::reportLost);
    changes.stopped().forEach(events::stopped);
  }

  private void reportLost(PodBook.Loss loss) {
    log.info("{}: replica {} lost: {}", function, loss.id(), loss.reason());
    events.lost(loss.id(), loss.reason());
  }
}
