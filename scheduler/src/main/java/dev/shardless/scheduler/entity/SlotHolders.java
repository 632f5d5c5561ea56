package dev.shardless.scheduler.entity;

import dev.shardless.scheduler.entity.FunctionEntity.Command;
import dev.shardless.scheduler.entity.FunctionEntity.Recall;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.policy.RecallDecision;
import dev.shardless.scheduler.policy.Recalls;
import dev.shardless.scheduler.policy.ReplicaView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

/**
 * The gateway nodes that hold slots of one entity incarnation, and the recalls sent to them. A node
 * is known from the first slot it may keep ({@link FunctionEntity.Lease#holder}) and from its
 * reports ({@link FunctionEntity.SlotsHeld}); one that holds nothing any more ignores a recall, so
 * the entity never needs to know exactly who holds what: its replica table already counts every
 * held slot as in flight.
 */
final class SlotHolders {
  private final FunctionId function;
  private final ActorRef<Command> self;
  private final Logger log;
  private final Map<Address, ActorRef<Recall>> byNode = new HashMap<>(4);

  /** Held slots each node last reported idle, less those it gave back since. */
  private final Map<Address, Integer> idleByNode = new HashMap<>(4);

  SlotHolders(FunctionId function, ActorRef<Command> self, Logger log) {
    this.function = function;
    this.self = self;
    this.log = log;
  }

  /** A slot that {@code holder} may keep was granted. */
  void granted(ActorRef<Recall> holder) {
    byNode.put(holder.path().address(), holder);
  }

  /**
   * A node reported what it holds: remember it, and recall what {@link Recalls} says it may not
   * keep.
   */
  void reported(
      FunctionEntity.SlotsHeld report, List<? extends ReplicaView> replicas, int waiting) {
    ActorRef<Recall> holder = report.holder();
    byNode.put(holder.path().address(), holder);
    if (report.idle() > 0) {
      idleByNode.put(holder.path().address(), report.idle());
    } else {
      idleByNode.remove(holder.path().address());
    }
    RecallDecision d = Recalls.forReport(report.replicas(), replicas, waiting);
    if (d instanceof RecallDecision.RecallAll all) {
      log.debug("{}: recalling the slots held by {}: {}", function, holder, all.reason());
      holder.tell(new Recall(function, self, null));
    } else if (d instanceof RecallDecision.RecallReplicas some) {
      log.debug("{}: recalling slots held by {}: {}", function, holder, some.reason());
      for (ReplicaId id : some.replicas()) {
        holder.tell(new Recall(function, self, id));
      }
    }
  }

  /**
   * {@code node} gave a slot back without a call: most often an idle held one, so one fewer is
   * assumed idle there until its next report.
   */
  void givenBack(Address node) {
    idleByNode.computeIfPresent(node, (k, n) -> n > 1 ? n - 1 : null);
  }

  /** Held slots the nodes report idle: in flight for the replica table, not load. */
  int idle() {
    if (idleByNode.isEmpty()) {
      return 0;
    }
    int n = 0;
    for (int i : idleByNode.values()) {
      n += i;
    }
    return n;
  }

  /** Every node gives back every slot it holds of this incarnation. */
  void recallAll(String why) {
    recall(null, why);
  }

  /** Every node gives back its slots on {@code replica} (all of them when null). */
  void recall(ReplicaId replica, String why) {
    if (byNode.isEmpty()) {
      return;
    }
    if (log.isDebugEnabled()) {
      log.debug(
          "{}: recalling held slots{} from {} nodes: {}",
          function,
          replica == null ? "" : " on " + replica,
          byNode.size(),
          why);
    }
    Recall recall = new Recall(function, self, replica);
    for (ActorRef<Recall> holder : byNode.values()) {
      holder.tell(recall);
    }
  }

  /** A node left the cluster: its slots were taken back with its leases. */
  void forget(Address node) {
    byNode.remove(node);
    idleByNode.remove(node);
  }
}
