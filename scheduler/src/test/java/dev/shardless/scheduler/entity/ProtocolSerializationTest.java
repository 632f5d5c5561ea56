package dev.shardless.scheduler.entity;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.shardless.scheduler.entity.FunctionEntity.Configure;
import dev.shardless.scheduler.entity.FunctionEntity.GetStatus;
import dev.shardless.scheduler.entity.FunctionEntity.Lease;
import dev.shardless.scheduler.entity.FunctionEntity.Leased;
import dev.shardless.scheduler.entity.FunctionEntity.Rejected;
import dev.shardless.scheduler.entity.FunctionEntity.Release;
import dev.shardless.scheduler.entity.FunctionEntity.Remove;
import dev.shardless.scheduler.entity.FunctionEntity.RuntimeStatus;
import dev.shardless.scheduler.entity.FunctionEntity.Scale;
import dev.shardless.scheduler.model.ReplicaId;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.Test;

/** The protocol crosses the network between gateway and entity: it must round-trip via CBOR. */
class ProtocolSerializationTest extends EntityHarness {

  @Test
  void everyProtocolMessageRoundTripsThroughJacksonCbor() {
    SerializationTestKit serialization = new SerializationTestKit(kit.system());
    Object[] messages = {
      new Configure(
          record(3, Map.of("max_inflight", "2", "exec_timeout", "30s"), scale(0, 4)),
          doneProbe().ref()),
      new Remove(3, doneProbe().ref()),
      new Scale(2, doneProbe().ref()),
      new FunctionEntity.AsyncBacklog(7),
      new GetStatus(kit.<RuntimeStatus>createTestProbe().ref()),
      new Lease(kit.<FunctionEntity.LeaseReply>createTestProbe().ref()),
      new Release(new ReplicaId("hello-1"), 502, 123_456_789L),
      new Release(
          new ReplicaId("hello-1"),
          200,
          1_000L,
          new org.apache.pekko.actor.Address("pekko", "shardless", "10.0.0.2", 25520)),
      new Lease(kit.<FunctionEntity.LeaseReply>createTestProbe().ref(), 42L, true),
      new Leased(
          new ReplicaId("hello-1"),
          "10.0.0.7",
          8080,
          Duration.ofSeconds(30),
          kit.<FunctionEntity.Command>createTestProbe().ref()),
      new Lease(
          kit.<FunctionEntity.LeaseReply>createTestProbe().ref(),
          43L,
          false,
          kit.<FunctionEntity.Recall>createTestProbe().ref()),
      new Leased(
          new ReplicaId("hello-2"),
          "10.0.0.8",
          8080,
          Duration.ofSeconds(30),
          kit.<FunctionEntity.Command>createTestProbe().ref(),
          true),
      new FunctionEntity.SlotsHeld(
          kit.<FunctionEntity.Recall>createTestProbe().ref(),
          12L,
          1,
          java.util.List.of(new ReplicaId("hello-1"), new ReplicaId("hello-1"))),
      new FunctionEntity.Recall(
          ID, kit.<FunctionEntity.Command>createTestProbe().ref(), new ReplicaId("hello-1")),
      new FunctionEntity.Recall(ID, kit.<FunctionEntity.Command>createTestProbe().ref(), null),
      new Rejected(429, "buffer full", Duration.ofSeconds(1)),
      new RuntimeStatus(true, 2, 1, 10, 3, 0),
      new FunctionEntity.GetScaling(kit.<FunctionEntity.ScalingStatus>createTestProbe().ref()),
      new FunctionEntity.ScalingStatus(
          true,
          3,
          Map.of("PANIC", 2L, "STEADY", 40L),
          java.util.List.of(
              new FunctionEntity.ScalingChange(1_700_000_000_000L, 1, 3, "PANIC", "load 5")),
          "adaptive",
          4,
          3,
          1)
    };
    for (Object m : messages) {
      assertInstanceOf(
          JacksonCborSerializer.class,
          SerializationExtension.get(kit.system().classicSystem()).findSerializerFor(m),
          m.getClass().getName());
      serialization.verifySerialization(m, true);
    }
  }
}
