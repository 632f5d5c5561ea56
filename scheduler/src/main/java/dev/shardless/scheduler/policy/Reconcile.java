package dev.shardless.scheduler.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Plans how to bring a function's replicas to the desired count of the current definition version.
 *
 * <p>Rules, in order:
 *
 * <ol>
 *   <li>Replicas of an older version that are still starting are stopped: they never served.
 *   <li>Too few current-version replicas (starting + ready): draining current-version replicas are
 *       taken back first (they are warm), the rest are started.
 *   <li>Too many: starting ones are stopped first (they serve nothing yet), then ready ones with
 *       the fewest calls in flight are drained (stopped at once when idle).
 *   <li>Rolling update: ready replicas of an older version keep serving while fewer than {@code
 *       desired} current-version replicas are ready, then are drained one for one.
 *   <li>A draining replica is stopped when its in-flight count is zero or its drain deadline has
 *       passed; never earlier.
 * </ol>
 *
 * <p>Example: desired 2, version 5, replicas a(READY v4, 3 in flight), b(READY v4, 0), c(READY v5,
 * 1) → Start 1 (one more v5), Stop b (idle v4 replaced by c), a keeps serving until the new one is
 * ready. Repeated after each event, the plan converges: exactly {@code desired} ready replicas of
 * the current version and nothing else.
 */
public final class Reconcile {
  private static final Comparator<ReplicaView> LEAST_BUSY_FIRST =
      Comparator.comparingInt(ReplicaView::inFlight)
          .thenComparing((ReplicaView r) -> r.id().value(), Comparator.reverseOrder());
  private static final Comparator<ReplicaView> NEWEST_FIRST =
      Comparator.comparing((ReplicaView r) -> r.id().value(), Comparator.reverseOrder());

  private Reconcile() {}

  /**
   * @param desired replicas wanted, >= 0
   * @param replicas every replica the entity tracks
   * @param currentVersion the definition version in force; replicas with an older one are replaced
   * @param now the time, to judge drain deadlines
   * @return the actions (at most one {@link ReconcileAction.Start}); empty when all is in place
   */
  public static List<ReconcileAction> plan(
      int desired, List<? extends ReplicaView> replicas, long currentVersion, Instant now) {
    if (desired < 0) {
      throw new IllegalArgumentException("desired must be >= 0, was " + desired);
    }
    List<ReplicaView> curStarting = new ArrayList<>();
    List<ReplicaView> curReady = new ArrayList<>();
    List<ReplicaView> oldReady = new ArrayList<>();
    List<ReplicaView> draining = new ArrayList<>();
    List<ReconcileAction> actions = new ArrayList<>();
    for (ReplicaView r : replicas) {
      boolean current = r.version() >= currentVersion;
      switch (r.state()) {
        case STARTING -> {
          if (current) {
            curStarting.add(r);
          } else {
            actions.add(
                new ReconcileAction.StopNow(
                    r.id(), "still starting with version " + r.version() + " < " + currentVersion));
          }
        }
        case READY -> (current ? curReady : oldReady).add(r);
        case DRAINING -> draining.add(r);
      }
    }
    int active = curStarting.size() + curReady.size();
    int readyAfter = curReady.size();
    if (active < desired) {
      int undrained = undrain(desired - active, draining, currentVersion, actions);
      readyAfter += undrained;
      int start = desired - active - undrained;
      if (start > 0) {
        actions.add(
            new ReconcileAction.Start(
                start,
                (active + undrained)
                    + " of "
                    + desired
                    + " replicas of version "
                    + currentVersion));
      }
    } else if (active > desired) {
      readyAfter -= shrink(active - desired, desired, curStarting, curReady, actions);
    }
    int keepOld = Math.max(0, desired - readyAfter);
    retire(oldReady, keepOld, currentVersion, readyAfter, actions);
    stopDrained(draining, now, actions);
    return actions;
  }

  private static int undrain(
      int wanted, List<ReplicaView> draining, long currentVersion, List<ReconcileAction> actions) {
    List<ReplicaView> candidates = new ArrayList<>();
    for (ReplicaView r : draining) {
      if (r.version() >= currentVersion) {
        candidates.add(r);
      }
    }
    candidates.sort(LEAST_BUSY_FIRST.reversed());
    int n = Math.min(wanted, candidates.size());
    for (int i = 0; i < n; i++) {
      ReplicaView r = candidates.get(i);
      draining.remove(r);
      actions.add(new ReconcileAction.Undrain(r.id(), "wanted again; warm, unlike a new one"));
    }
    return n;
  }

  /** Removes {@code excess} current replicas; returns how many ready ones went. */
  private static int shrink(
      int excess,
      int desired,
      List<ReplicaView> curStarting,
      List<ReplicaView> curReady,
      List<ReconcileAction> actions) {
    String why = "more than the " + desired + " replicas wanted";
    curStarting.sort(NEWEST_FIRST);
    int fromStarting = Math.min(excess, curStarting.size());
    for (int i = 0; i < fromStarting; i++) {
      actions.add(new ReconcileAction.StopNow(curStarting.get(i).id(), why + "; still starting"));
    }
    int fromReady = excess - fromStarting;
    curReady.sort(LEAST_BUSY_FIRST);
    for (int i = 0; i < fromReady; i++) {
      actions.add(goAway(curReady.get(i), why));
    }
    return fromReady;
  }

  private static void retire(
      List<ReplicaView> oldReady,
      int keep,
      long currentVersion,
      int readyCurrent,
      List<ReconcileAction> actions) {
    oldReady.sort(LEAST_BUSY_FIRST);
    int go = Math.max(0, oldReady.size() - keep);
    for (int i = 0; i < go; i++) {
      ReplicaView r = oldReady.get(i);
      actions.add(
          goAway(
              r,
              "version "
                  + r.version()
                  + " replaced; "
                  + readyCurrent
                  + " replicas of version "
                  + currentVersion
                  + " ready"));
    }
  }

  private static ReconcileAction goAway(ReplicaView r, String why) {
    return r.inFlight() == 0
        ? new ReconcileAction.StopNow(r.id(), why + "; idle")
        : new ReconcileAction.Drain(r.id(), why + "; " + r.inFlight() + " in flight");
  }

  private static void stopDrained(
      List<ReplicaView> draining, Instant now, List<ReconcileAction> actions) {
    for (ReplicaView r : draining) {
      if (r.inFlight() == 0) {
        actions.add(new ReconcileAction.StopNow(r.id(), "drained"));
      } else if (!now.isBefore(r.drainDeadline())) {
        actions.add(
            new ReconcileAction.StopNow(
                r.id(), "drain timed out with " + r.inFlight() + " still in flight"));
      }
    }
  }
}
