package dev.shardless.scheduler.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import dev.shardless.scheduler.SchedulerSettings;
import dev.shardless.scheduler.entity.FunctionEntity.Command;
import dev.shardless.scheduler.entity.FunctionEntity.GetScaling;
import dev.shardless.scheduler.entity.FunctionEntity.GetStatus;
import dev.shardless.scheduler.entity.FunctionEntity.Lease;
import dev.shardless.scheduler.entity.FunctionEntity.LeaseReply;
import dev.shardless.scheduler.entity.FunctionEntity.Leased;
import dev.shardless.scheduler.entity.FunctionEntity.Rejected;
import dev.shardless.scheduler.entity.FunctionEntity.Release;
import dev.shardless.scheduler.entity.FunctionEntity.RuntimeStatus;
import dev.shardless.scheduler.entity.FunctionEntity.ScalingStatus;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.model.Resources;
import dev.shardless.scheduler.policy.AutoscaleSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/** Shared set-up for entity tests: one test kit with manual time per class, fakes per test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EntityHarness {
  static final FunctionId ID = new FunctionId("openfaas-fn", "hello");

  final ActorTestKit kit =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
  final ManualTime time = ManualTime.get(kit.system());

  FakeReplicaPlatform platform;
  MutableClock clock;
  SchedulerSettings settings;

  @BeforeEach
  void freshFakes() {
    platform = new FakeReplicaPlatform();
    clock = new MutableClock();
    settings = settings(5);
  }

  static SchedulerSettings settings(int bufferSize) {
    return new SchedulerSettings(
        bufferSize,
        100,
        Duration.ofSeconds(5),
        Duration.ofSeconds(1),
        Duration.ofSeconds(4),
        Duration.ofSeconds(1),
        Duration.ofSeconds(3),
        Duration.ofMillis(100),
        AUTOSCALE);
  }

  /** Autoscaler timing for entity tests: tick 1s, stable 10s, panic 2s, down-window 10s. */
  static final AutoscaleSettings AUTOSCALE =
      new AutoscaleSettings(
          Duration.ofSeconds(1),
          Duration.ofSeconds(10),
          Duration.ofSeconds(2),
          2.0,
          Duration.ofSeconds(10),
          5);

  @AfterAll
  void shutdown() {
    kit.shutdownTestKit();
  }

  static FunctionRecord record(long version, Map<String, String> env, Map<String, String> labels) {
    FunctionSpec spec =
        new FunctionSpec(
            ID,
            "img:" + version,
            "serve",
            env,
            List.of(),
            List.of(),
            labels,
            Map.of(),
            Resources.NONE,
            Resources.NONE,
            false);
    return new FunctionRecord(spec, version, Instant.parse("2025-01-01T00:00:00Z"));
  }

  static Map<String, String> scale(int min, int max) {
    return Map.of("com.openfaas.scale.min", "" + min, "com.openfaas.scale.max", "" + max);
  }

  ActorRef<Command> spawn(FakeCatalog catalog) {
    return kit.spawn(FunctionEntity.create(ID, platform, catalog, settings, clock));
  }

  ActorRef<Command> spawn(FunctionRecord record, Retirement retirement) {
    return kit.spawn(
        FunctionEntity.create(
            ID, platform, FakeCatalog.holding(record), settings, clock, retirement));
  }

  ActorRef<Command> spawn(FunctionRecord record) {
    return spawn(FakeCatalog.holding(record));
  }

  /** The replica set the entity opened, once it has opened one. */
  RecordingReplicas replicas() {
    RecordingReplicas opened = platform.replicas();
    if (opened != null) {
      return opened;
    }
    return Awaitility.await()
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(5))
        .until(platform::replicas, Objects::nonNull);
  }

  /** Also a barrier: every message sent before it has been handled when it returns. */
  RuntimeStatus status(ActorRef<Command> entity) {
    TestProbe<RuntimeStatus> p = kit.createTestProbe();
    entity.tell(new GetStatus(p.ref()));
    return p.receiveMessage();
  }

  TestProbe<LeaseReply> lease(ActorRef<Command> entity) {
    TestProbe<LeaseReply> p = kit.createTestProbe();
    entity.tell(new Lease(p.ref()));
    return p;
  }

  static Leased leased(TestProbe<LeaseReply> p) {
    return assertInstanceOf(Leased.class, p.receiveMessage());
  }

  static Rejected rejected(TestProbe<LeaseReply> p, int status) {
    Rejected r = assertInstanceOf(Rejected.class, p.receiveMessage());
    assertEquals(status, r.status(), r.reason());
    return r;
  }

  static void release(ActorRef<Command> entity, ReplicaId id) {
    entity.tell(new Release(id, 200, 1_000_000));
  }

  TestProbe<Done> doneProbe() {
    return kit.createTestProbe();
  }

  /** Moves the entity's clock and Pekko's timers together. */
  void advance(Duration d) {
    clock.advance(d);
    time.timePasses(d);
  }

  /** Starts the next replica the entity asks for and reports it ready. */
  ReplicaId readyNext() {
    ReplicaId id = replicas().nextStart().id();
    replicas().ready(id);
    return id;
  }

  ScalingStatus scaling(ActorRef<Command> entity) {
    TestProbe<ScalingStatus> p = kit.createTestProbe();
    entity.tell(new GetScaling(p.ref()));
    return p.receiveMessage();
  }

  /** Lets {@code seconds} pass one tick at a time, each handled before the next. */
  void ticks(ActorRef<Command> entity, int seconds) {
    for (int i = 0; i < seconds; i++) {
      advance(Duration.ofSeconds(1));
      status(entity);
    }
  }

  /**
   * Lets {@code seconds} pass in one step (ManualTime takes about 100 ms per step): the timer's
   * ticks in between all see the end time. For waits where only the total matters.
   */
  void elapse(ActorRef<Command> entity, int seconds) {
    advance(Duration.ofSeconds(seconds));
    status(entity);
  }

  static long evaluations(ScalingStatus s) {
    return s.decisionsByReason().values().stream().mapToLong(Long::longValue).sum();
  }
}
