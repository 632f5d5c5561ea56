package dev.shardless.k8s.platform;

import dev.shardless.scheduler.model.GoDuration;
import dev.shardless.scheduler.model.ReplicaId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The pure bookkeeping of one function's replicas on Kubernetes: which replica id is waiting for a
 * pod, which pod serves which id, which ids are being stopped, and so the Deployment's desired
 * replica count. No fabric8 types, no I/O, no clock: time and the pods (as the informer's cache
 * shows them) are arguments, and every method returns what the caller must report or write.
 *
 * <p>An id lives in exactly one of three places and leaves the book with exactly one outcome:
 *
 * <ul>
 *   <li><b>pending</b> (FIFO, with the instant it was asked for): waiting for a serving pod. Leaves
 *       bound, stopped at once ({@link #stop}), or lost ({@link #expire}, {@link #loseAllPending}).
 *   <li><b>bound</b> to one pod: leaves lost when its pod is gone, terminating, finished or not
 *       Ready ({@link #observe}), or stopping when asked to stop.
 *   <li><b>stopping</b> (its pod drained and marked): leaves stopped when the pod is gone ({@link
 *       #observe}) or when the caller removes it after the grace ({@link #overdue}).
 * </ul>
 *
 * <p>The desired count is {@code pending + bound}: stopping pods are the ones a scale-down should
 * remove. Example: 2 pending, 3 bound, 1 stopping → desired 5; the Deployment shows 6 live pods, so
 * the stopping pod is the one to mark ({@link #toMark}).
 *
 * <p>Versions: every id is started with the {@link dev.shardless.k8s.SpecVersion} of its spec and
 * binds only to a pod whose {@link PodView#specVersion()} is the same. During a rollout after an
 * update the function has pods of both specs, and a replica of the new spec must not be served by a
 * still-Ready pod of the old one; it waits for a pod of its own spec, as after a cold start.
 *
 * <p>A pod without a version is a legacy pod, built by an operator from before versions existed: it
 * binds any id, but only when no free pod of the id's own version serves. Refusing it would cut a
 * platform upgrade short: the operator is a cluster singleton on the oldest node, so it stays on an
 * old node (stamping no versions) until the last old node goes, while entities that moved to the
 * new nodes must keep adopting their Ready pods. Once the new operator runs, the changed pod
 * template rolls every function out to versioned pods, and the defect this guards against can only
 * touch a spec update made during that window.
 *
 * <p>A free pod no pending id can use (another version, or any pod when nothing is pending) is
 * useless: {@link #toMark} marks it first, so a scale-down or the rollout removes it before a pod
 * that serves (or drains) a replica.
 */
public final class PodBook {
  private final LinkedHashMap<ReplicaId, Waiting> pending = new LinkedHashMap<>();
  private final LinkedHashMap<ReplicaId, String> bound = new LinkedHashMap<>();
  private final LinkedHashMap<ReplicaId, String> stopping = new LinkedHashMap<>();
  private final Set<String> markedByUs = new HashSet<>();

  /** A pending id: since when it waits, and the spec version of the pod it needs. */
  private record Waiting(Instant since, String version) {}

  /** What {@link #stop} found. */
  public sealed interface StopOutcome {}

  /** The id is not in the book (never started, or already ended): report it stopped. */
  public record Unknown() implements StopOutcome {}

  /** The id was still waiting for a pod: it is gone, report it stopped; the desired count fell. */
  public record WasPending() implements StopOutcome {}

  /** The id is being stopped already: nothing more to do. */
  public record AlreadyStopping() implements StopOutcome {}

  /**
   * The id's pod is to go: mark it, write the lower desired count, report stopped when it is gone.
   */
  public record Draining(String pod) implements StopOutcome {}

  /**
   * A pending id now served by {@code pod} at {@code host:port}; {@code unmark} when the pod still
   * carries the low deletion cost (it was surplus a moment ago) and must lose it.
   */
  public record Binding(ReplicaId id, String pod, String host, int port, boolean unmark) {}

  /** An id that ended without being asked to, with a short reason fit for a user. */
  public record Loss(ReplicaId id, String reason) {}

  /** What one look at the pods changed. */
  public record Changes(List<Binding> bound, List<Loss> lost, List<ReplicaId> stopped) {
    /** True when nothing is to be reported and the desired count is unchanged. */
    public boolean isEmpty() {
      return bound.isEmpty() && lost.isEmpty() && stopped.isEmpty();
    }
  }

  /**
   * Adds {@code id} as pending since {@code now}, to be served by a pod of spec version {@code
   * version}; false (and no change) when it is known.
   */
  public boolean start(ReplicaId id, String version, Instant now) {
    Objects.requireNonNull(version, "version");
    if (knows(id)) {
      return false;
    }
    pending.put(id, new Waiting(now, version));
    return true;
  }

  /** Stops {@code id}: see {@link StopOutcome}. */
  public StopOutcome stop(ReplicaId id) {
    if (pending.remove(id) != null) {
      return new WasPending();
    }
    if (stopping.containsKey(id)) {
      return new AlreadyStopping();
    }
    String pod = bound.remove(id);
    if (pod == null) {
      return new Unknown();
    }
    stopping.put(id, pod);
    return new Draining(pod);
  }

  /**
   * Compares the book with the pods the informer now shows for the function: bound ids whose pod no
   * longer serves are lost ("pod p deleted" when gone or terminating, "pod p failed" when finished,
   * "pod p not ready" otherwise); stopping ids whose pod is gone are stopped; then pending ids,
   * oldest first, bind to serving pods of their spec version that no id holds (a legacy pod when
   * none of that version is free), unmarked pods first, then by name.
   */
  public Changes observe(Collection<PodView> pods) {
    Map<String, PodView> byName = new HashMap<>();
    for (PodView p : pods) {
      byName.put(p.name(), p);
    }
    markedByUs.retainAll(byName.keySet());
    List<Loss> lost = new ArrayList<>();
    for (Iterator<Map.Entry<ReplicaId, String>> it = bound.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<ReplicaId, String> e = it.next();
      String reason = whyNotServing(e.getValue(), byName.get(e.getValue()));
      if (reason != null) {
        it.remove();
        lost.add(new Loss(e.getKey(), reason));
      }
    }
    List<ReplicaId> stopped = new ArrayList<>();
    for (Iterator<Map.Entry<ReplicaId, String>> it = stopping.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<ReplicaId, String> e = it.next();
      if (!byName.containsKey(e.getValue())) {
        it.remove();
        stopped.add(e.getKey());
      }
    }
    return new Changes(bind(pods), lost, stopped);
  }

  private static String whyNotServing(String pod, PodView p) {
    if (p == null || p.terminating()) {
      return "pod " + pod + " deleted";
    }
    if (p.failed()) {
      return "pod " + pod + " failed";
    }
    if (!p.serving()) {
      return "pod " + pod + " not ready";
    }
    return null;
  }

  private List<Binding> bind(Collection<PodView> pods) {
    if (pending.isEmpty()) {
      return List.of();
    }
    Set<String> taken = new HashSet<>(bound.values());
    taken.addAll(stopping.values());
    List<PodView> free =
        pods.stream()
            .filter(p -> p.serving() && !taken.contains(p.name()))
            .sorted(Comparator.comparing(this::isMarked).thenComparing(PodView::name))
            .toList();
    List<PodView> unused = new ArrayList<>(free);
    List<Binding> out = new ArrayList<>();
    for (Iterator<Map.Entry<ReplicaId, Waiting>> it = pending.entrySet().iterator();
        it.hasNext() && !unused.isEmpty(); ) {
      Map.Entry<ReplicaId, Waiting> e = it.next();
      PodView p = usableBy(unused, e.getValue().version());
      if (p == null) {
        continue;
      }
      it.remove();
      unused.remove(p);
      bound.put(e.getKey(), p.name());
      boolean unmark = isMarked(p);
      markedByUs.remove(p.name());
      out.add(new Binding(e.getKey(), p.name(), p.ip(), p.port(), unmark));
    }
    return out;
  }

  /** The first pod of {@code version} in {@code pods}, else the first legacy one, else null. */
  private static PodView usableBy(List<PodView> pods, String version) {
    PodView legacy = null;
    for (PodView p : pods) {
      if (version.equals(p.specVersion())) {
        return p;
      }
      if (legacy == null && p.specVersion() == null) {
        legacy = p;
      }
    }
    return legacy;
  }

  /**
   * The pending ids asked for at or before {@code now − timeout}, removed and lost with "no Ready
   * pod after {@code timeout}".
   */
  public List<Loss> expire(Instant now, Duration timeout) {
    Instant cutoff = now.minus(timeout);
    List<Loss> lost = new ArrayList<>();
    for (Iterator<Map.Entry<ReplicaId, Waiting>> it = pending.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<ReplicaId, Waiting> e = it.next();
      if (!e.getValue().since().isAfter(cutoff)) {
        it.remove();
        lost.add(new Loss(e.getKey(), "no Ready pod after " + GoDuration.format(timeout)));
      }
    }
    return lost;
  }

  /** Every pending id, removed and lost with {@code reason} (e.g. the Deployment never came). */
  public List<Loss> loseAllPending(String reason) {
    List<Loss> lost = pending.keySet().stream().map(id -> new Loss(id, reason)).toList();
    pending.clear();
    return lost;
  }

  /**
   * A stopping id whose grace has passed: removes it and returns its pod (to delete before
   * reporting it stopped), or null when it has ended already.
   */
  public String overdue(ReplicaId id) {
    return stopping.remove(id);
  }

  /** The replica count the Deployment should have: pending plus bound ids. */
  public int desired() {
    return pending.size() + bound.size();
  }

  /**
   * The pods to give the low deletion cost before the desired count is written, so the ReplicaSet
   * (or the rollout, scaling the old ReplicaSet down) removes them and no pod serving an id: every
   * live pod of a stopping id, every useless pod (no id holds it and no pending id can use it: a
   * pod of another spec version, or any pod when nothing is pending; by name), then, while more
   * pods are live than desired, the other pods no id holds (legacy first, then not serving, then by
   * name). Pods already marked are left out; the returned ones count as marked from now on.
   *
   * <p>Example: desired 2, pods a (bound), b (stopping), c and d (free, d not Ready) → b, then d (4
   * live − 2 desired = 2 to remove). After an update from v1 to v2: a v1 id still bound to pod a
   * (draining), a v2 id pending, b of v1 free and Ready, c of v2 not Ready yet → b (useless), not a
   * (held) nor c (3 live − 2 desired − 1 chosen leaves nothing more to remove). The rollout,
   * scaling the old ReplicaSet down, thus takes b before a, whose replica may still finish its
   * calls.
   */
  public List<String> toMark(Collection<PodView> pods) {
    Set<String> held = new HashSet<>(bound.values());
    Set<String> going = new HashSet<>(stopping.values());
    List<PodView> live = pods.stream().filter(PodView::live).toList();
    List<PodView> chosen =
        new ArrayList<>(live.stream().filter(p -> going.contains(p.name())).toList());
    List<PodView> free =
        live.stream().filter(p -> !held.contains(p.name()) && !going.contains(p.name())).toList();
    Predicate<PodView> usable = usableByPending();
    free.stream()
        .filter(usable.negate())
        .sorted(Comparator.comparing(PodView::name))
        .forEach(chosen::add);
    int surplus = live.size() - desired() - chosen.size();
    free.stream()
        .filter(usable)
        .sorted(
            Comparator.comparing((PodView p) -> p.specVersion() != null)
                .thenComparing(PodView::serving)
                .thenComparing(PodView::name))
        .limit(Math.max(0, surplus))
        .forEach(chosen::add);
    List<String> out = new ArrayList<>();
    for (PodView p : chosen) {
      if (!isMarked(p)) {
        markedByUs.add(p.name());
        out.add(p.name());
      }
    }
    return out;
  }

  /** True for a pod some pending id could bind: of its version, or a legacy one. */
  private Predicate<PodView> usableByPending() {
    Set<String> wanted = new HashSet<>();
    pending.values().forEach(w -> wanted.add(w.version()));
    return p -> p.specVersion() == null ? !wanted.isEmpty() : wanted.contains(p.specVersion());
  }

  private boolean isMarked(PodView p) {
    return p.marked() || markedByUs.contains(p.name());
  }

  /** True when {@code id} is pending, bound or stopping. */
  public boolean knows(ReplicaId id) {
    return pending.containsKey(id) || bound.containsKey(id) || stopping.containsKey(id);
  }

  /** True when {@code id} is waiting for a pod. */
  public boolean isPending(ReplicaId id) {
    return pending.containsKey(id);
  }

  /** The pod serving {@code id}, or null. */
  public String podOf(ReplicaId id) {
    return bound.get(id);
  }
}
