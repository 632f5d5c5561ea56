package dev.shardless.scheduler.policy;

import dev.shardless.scheduler.model.ReplicaId;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides whether a gateway node may keep the slots it holds (leased slots it reuses for further
 * calls instead of asking the entity for each one). A held slot counts as in flight on its replica
 * until the node gives it back, so holding never lets a replica exceed {@code max_inflight}; this
 * rule makes sure holding never delays anyone either:
 *
 * <ul>
 *   <li>requests waiting in the entity's buffer: every held slot goes back, so that the waiting
 *       requests are served first come, first served, whichever node they came through;
 *   <li>slots on a replica that is not {@link ReplicaState#READY} (draining, starting again, or
 *       gone from the table): those go back, so that a drain ends and no call reaches a stopped
 *       replica.
 * </ul>
 *
 * <p>Example: a node holds slots on a(READY) and b(DRAINING) and nothing waits → recall b. With one
 * request waiting → recall all.
 */
public final class Recalls {
  private Recalls() {}

  /**
   * @param held the replicas the node reports slots on (any order, repeats allowed)
   * @param replicas every replica the entity knows
   * @param waiting requests in the entity's buffer
   */
  public static RecallDecision forReport(
      List<ReplicaId> held, List<? extends ReplicaView> replicas, int waiting) {
    if (held.isEmpty()) {
      return RecallDecision.Keep.INSTANCE;
    }
    if (waiting > 0) {
      return new RecallDecision.RecallAll(waiting + " requests are waiting for a slot");
    }
    List<ReplicaId> back = null;
    for (ReplicaId id : held) {
      if (!ready(id, replicas) && (back == null || !back.contains(id))) {
        if (back == null) {
          back = new ArrayList<>(2);
        }
        back.add(id);
      }
    }
    return back == null
        ? RecallDecision.Keep.INSTANCE
        : new RecallDecision.RecallReplicas(back, "not ready (draining or gone): " + back);
  }

  private static boolean ready(ReplicaId id, List<? extends ReplicaView> replicas) {
    for (int i = 0, n = replicas.size(); i < n; i++) {
      ReplicaView r = replicas.get(i);
      if (r.id().equals(id)) {
        return r.state() == ReplicaState.READY;
      }
    }
    return false;
  }
}
