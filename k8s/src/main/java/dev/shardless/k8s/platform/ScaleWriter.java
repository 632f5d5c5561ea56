package dev.shardless.k8s.platform;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.GoDuration;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one function's desired replica count through its Deployment's {@code scale} subresource,
 * one write in flight at a time: a request while a write runs only flags another round, which reads
 * the count afresh, so bursts coalesce to the latest value. Each round first gives the pods chosen
 * by {@link PodBook#toMark} the low deletion cost, then scales. Runs on the platform's blocking
 * executor, never on the caller's thread.
 *
 * <p>Failures retry with the settings' backoff. A missing Deployment (the operator creates it
 * asynchronously after a deploy) is retried for {@code deployment-wait}; then the waiting replica
 * ids are lost naming it, and the writer rests until the next request.
 */
final class ScaleWriter {
  private static final Logger log = LoggerFactory.getLogger(ScaleWriter.class);

  /** What one round writes: marks first, then the count. */
  record Plan(int desired, List<String> toMark) {}

  /** The function's side: the plan to write, and what to do when the Deployment never came. */
  interface Owner {
    Plan plan();

    void deploymentMissing(String reason);
  }

  private final KubernetesPlatform platform;
  private final FunctionId function;
  private final Owner owner;
  private boolean running;
  private boolean again;
  private boolean requested;
  private int failures;
  private Instant missingSince;

  ScaleWriter(KubernetesPlatform platform, FunctionId function, Owner owner) {
    this.platform = platform;
    this.function = function;
    this.owner = owner;
  }

  /** Asks for a write of the current plan; returns at once. */
  void request() {
    synchronized (this) {
      requested = true;
      if (running) {
        again = true;
        return;
      }
      running = true;
    }
    submit();
  }

  /** True once anything asked for a write. */
  synchronized boolean requested() {
    return requested;
  }

  private void submit() {
    try {
      platform.blocking().execute(this::round);
    } catch (RejectedExecutionException e) {
      log.debug("{}: scale write dropped, the platform is stopping", function);
      synchronized (this) {
        running = false;
      }
    }
  }

  private void round() {
    synchronized (this) {
      again = false;
      if (platform.isShutDown()) {
        running = false; // the platform writes nothing after shutdown
        return;
      }
    }
    Plan plan = owner.plan();
    try {
      plan.toMark().forEach(this::mark);
      platform.scale(function, plan.desired());
      log.debug("{}: Deployment scaled to {}", function, plan.desired());
      failures = 0;
      missingSince = null;
      finish();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        deploymentMissing();
      } else {
        retry(e);
      }
    } catch (RuntimeException e) {
      retry(e);
    }
  }

  /** Best effort: a pod left unmarked is deleted after its stop's grace anyway. */
  private void mark(String pod) {
    try {
      platform.mark(function.namespace(), pod);
    } catch (KubernetesClientException e) {
      log.warn("{}: could not mark pod {} for removal: {}", function, pod, e.toString());
    }
  }

  private void deploymentMissing() {
    Instant now = platform.clock().instant();
    if (missingSince == null) {
      missingSince = now;
    }
    Duration wait = platform.settings().deploymentWait();
    if (Duration.between(missingSince, now).compareTo(wait) < 0) {
      failures++;
      Duration backoff = platform.settings().backoff(failures);
      log.debug("{}: no Deployment yet, next scale write in {}", function, backoff);
      platform.after(backoff, this::round);
      return;
    }
    String reason =
        "Deployment "
            + function.namespace()
            + "/"
            + function.name()
            + " not found after "
            + GoDuration.format(wait);
    log.warn("{}: {}; the replicas waiting for it are lost", function, reason);
    failures = 0;
    missingSince = null;
    owner.deploymentMissing(reason);
    finish();
  }

  private void retry(RuntimeException e) {
    failures++;
    Duration backoff = platform.settings().backoff(failures);
    log.warn(
        "{}: scale write failed ({} in a row, retry in {}): {}",
        function,
        failures,
        GoDuration.format(backoff),
        e.toString());
    platform.after(backoff, this::round);
  }

  private void finish() {
    synchronized (this) {
      if (!again) {
        running = false;
        return;
      }
    }
    submit();
  }
}
