package dev.shardless.scheduler.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.shardless.scheduler.entity.FunctionEntity.Command;
import dev.shardless.scheduler.entity.FunctionEntity.LeaseReply;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.ScalingSpec;
import dev.shardless.scheduler.policy.ScaleReason;
import dev.shardless.scheduler.port.SchedulerTelemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/** The entity reports its scaling target, its autoscaler's decisions and cold starts. */
class FunctionEntityTelemetryTest extends EntityHarness {

  /** Remembers every report, in order; confined to the entity's thread, read after a barrier. */
  static final class Recording implements SchedulerTelemetry, SchedulerTelemetry.FunctionTelemetry {
    final List<String> events = new ArrayList<>();
    final List<Long> coldStarts = new ArrayList<>();
    volatile ScalingSpec scaling;

    @Override
    public FunctionTelemetry of(FunctionId function) {
      return this;
    }

    @Override
    public synchronized void configured(ScalingSpec s) {
      scaling = s;
    }

    @Override
    public synchronized void decided(ScaleReason reason, boolean changed) {
      events.add(reason + (changed ? " change" : " hold"));
    }

    @Override
    public synchronized void coldStart(long millis) {
      coldStarts.add(millis);
    }

    synchronized List<String> changes() {
      return events.stream().filter(e -> e.endsWith(" change")).toList();
    }

    synchronized List<Long> coldStarts() {
      return List.copyOf(coldStarts);
    }
  }

  private ActorRef<Command> spawn(Map<String, String> labels, Recording telemetry) {
    return kit.spawn(
        FunctionEntity.create(
            ID,
            platform,
            FakeCatalog.holding(record(1, Map.of(), labels)),
            settings,
            clock,
            Retirement.unsharded(),
            telemetry));
  }

  @Test
  void reportsTheScalingTargetOfTheDefinitionInForce() {
    Recording telemetry = new Recording();
    ActorRef<Command> entity =
        spawn(Map.of("com.openfaas.scale.target", "7", "com.openfaas.scale.max", "3"), telemetry);
    status(entity);
    assertEquals(7, telemetry.scaling.target());
  }

  @Test
  void aScaleFromZeroByARequestIsOneColdStartTimedUntilTheFirstReplicaIsReady() {
    Recording telemetry = new Recording();
    ActorRef<Command> entity = spawn(FunctionEntityAutoscaleTest.capacity(0, 3), telemetry);
    TestProbe<LeaseReply> waiting = lease(entity);
    status(entity);
    assertEquals(List.of("BURST_FROM_ZERO change"), telemetry.changes());
    assertTrue(telemetry.coldStarts().isEmpty(), "not ready yet");

    clock.advance(Duration.ofMillis(1500));
    var replica = readyNext();
    leased(waiting);
    status(entity);
    assertEquals(List.of(1500L), telemetry.coldStarts());

    release(entity, replica);
    leased(lease(entity));
    status(entity);
    assertEquals(List.of(1500L), telemetry.coldStarts(), "a warm call is no cold start");
  }

  @Test
  void anOperatorScaleFromZeroIsNoColdStart() {
    Recording telemetry = new Recording();
    ActorRef<Command> entity = spawn(FunctionEntityAutoscaleTest.capacity(0, 3), telemetry);
    entity.tell(new FunctionEntity.Scale(1, doneProbe().ref()));
    readyNext();
    status(entity);
    assertTrue(telemetry.coldStarts().isEmpty());
  }

  @Test
  void holdsAreReportedAsDecisionsThatChangeNothing() {
    Recording telemetry = new Recording();
    ActorRef<Command> entity = spawn(FunctionEntityAutoscaleTest.capacity(1, 3), telemetry);
    readyNext();
    ticks(entity, 2);
    assertTrue(telemetry.changes().isEmpty(), telemetry.events.toString());
    synchronized (telemetry) {
      assertTrue(telemetry.events.size() >= 2, telemetry.events.toString());
      assertTrue(telemetry.events.stream().allMatch(e -> e.endsWith(" hold")));
    }
  }
}
