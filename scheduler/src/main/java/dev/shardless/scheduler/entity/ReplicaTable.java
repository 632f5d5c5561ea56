package dev.shardless.scheduler.entity;

import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.policy.ReplicaState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The replicas an entity tracks, in start order, with lookup by id. Not thread-safe. */
final class ReplicaTable {
  private final List<Replica> list = new ArrayList<>();
  private final List<Replica> view = Collections.unmodifiableList(list);
  private final Map<ReplicaId, Replica> byId = new HashMap<>();

  /** Every replica, in start order; a read-only view that follows changes. */
  List<Replica> all() {
    return view;
  }

  Replica get(ReplicaId id) {
    return byId.get(id);
  }

  void add(Replica r) {
    list.add(r);
    byId.put(r.id(), r);
  }

  /** Removes and returns the replica, or null when unknown. */
  Replica remove(ReplicaId id) {
    Replica r = byId.remove(id);
    if (r != null) {
      list.remove(r);
    }
    return r;
  }

  void clear() {
    list.clear();
    byId.clear();
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  /** True when some replica accepts leases. */
  boolean anyReady() {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).state == ReplicaState.READY) {
        return true;
      }
    }
    return false;
  }

  /** Ready, not draining, of {@code version} or newer. */
  int readyOf(long version) {
    int n = 0;
    for (Replica r : list) {
      if (r.state == ReplicaState.READY && r.version() >= version) {
        n++;
      }
    }
    return n;
  }

  int totalInFlight() {
    int n = 0;
    for (Replica r : list) {
      n += r.inFlight;
    }
    return n;
  }

  /** The earliest deadline of a draining replica with calls in flight, or null. */
  Instant earliestDrainDeadline() {
    Instant earliest = null;
    for (Replica r : list) {
      if (r.state == ReplicaState.DRAINING
          && r.inFlight > 0
          && (earliest == null || r.drainDeadline.isBefore(earliest))) {
        earliest = r.drainDeadline;
      }
    }
    return earliest;
  }
}
