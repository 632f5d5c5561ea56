package dev.shardless.scheduler.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shardless.scheduler.model.ReplicaId;
import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.Test;

/** A replica's count of the leases held by other nodes' gateways, for taking back a lost node's. */
class ReplicaLesseesTest {
  private static final Address A = new Address("pekko", "shardless", "10.0.0.1", 25520);
  private static final Address B = new Address("pekko", "shardless", "10.0.0.2", 25520);

  @Test
  void aLostNodeGivesBackOnlyTheLeasesItStillHolds() {
    Replica r = new Replica(new ReplicaId("r-1"), 1);
    r.leasedTo(A);
    r.leasedTo(A);
    r.leasedTo(B);
    r.releasedBy(A);
    r.releasedBy(new Address("pekko", "shardless")); // a local gateway: holds nothing here

    assertEquals(1, r.dropLeasesOf(A));
    assertEquals(0, r.dropLeasesOf(A), "dropped once");
    assertEquals(1, r.dropLeasesOf(B));
  }

  @Test
  void aReplicaLeasedOnlyLocallyHasNothingToGiveBack() {
    Replica r = new Replica(new ReplicaId("r-2"), 1);
    r.releasedBy(A);
    assertEquals(0, r.dropLeasesOf(A));
  }

  @Test
  void aReleaseFreesTheSlotAndALostNodesLeasesFreeTheirs() {
    Replica r = new Replica(new ReplicaId("r-3"), 1);
    r.inFlight = 3;
    r.leasedTo(A);
    r.leasedTo(A);
    r.released(A);
    r.released(null); // a local gateway's call

    assertEquals(1, r.inFlight);
    assertEquals(1, r.dropLeasesOf(A));
    assertEquals(0, r.inFlight);
  }
}
