package dev.shardless.persistence.registry;

import static dev.shardless.persistence.registry.Specs.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.shardless.persistence.registry.FunctionRegistry.Applied;
import dev.shardless.persistence.registry.FunctionRegistry.Command;
import dev.shardless.persistence.registry.FunctionRegistry.Conflict;
import dev.shardless.persistence.registry.FunctionRegistry.Event;
import dev.shardless.persistence.registry.FunctionRegistry.FunctionDeleted;
import dev.shardless.persistence.registry.FunctionRegistry.FunctionDeployed;
import dev.shardless.persistence.registry.FunctionRegistry.FunctionUpdated;
import dev.shardless.persistence.registry.FunctionRegistry.NotFound;
import dev.shardless.persistence.registry.FunctionRegistry.Reply;
import dev.shardless.persistence.registry.RecordingListener.Configured;
import dev.shardless.persistence.registry.RecordingListener.Removed;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FunctionRegistryTest {
  static final String NS = "openfaas-fn";
  static final Instant T0 = Instant.parse("2026-01-01T10:00:00.123456789Z");
  static final Instant T1 = Instant.parse("2026-01-02T11:00:00Z");

  static final Config CONFIG =
      ConfigFactory.parseString(
              "pekko.actor.serialization-bindings {"
                  + " \"dev.shardless.scheduler.CborSerializable\" = jackson-cbor }")
          .withFallback(EventSourcedBehaviorTestKit.config())
          .withFallback(PersistenceTestKitSnapshotPlugin.config());

  static final ActorTestKit TESTKIT = ActorTestKit.create("FunctionRegistryTest", CONFIG);

  final SettableClock clock = new SettableClock(T0);
  TestProbe<Object> listened;
  EventSourcedBehaviorTestKit<Command, Event, RegistryState> registry;

  @BeforeEach
  void setUp() {
    PersistenceTestKit.create(TESTKIT.system()).clearAll();
    SnapshotTestKit.create(TESTKIT.system()).clearAll();
    listened = TESTKIT.createTestProbe();
    registry =
        EventSourcedBehaviorTestKit.create(
            TESTKIT.system(),
            FunctionRegistry.create(NS, new RecordingListener(listened.ref()), clock));
  }

  @AfterAll
  static void shutDown() {
    TESTKIT.shutdownTestKit();
  }

  @Test
  void deployGivesVersionOneAndClockTimeAndTellsTheListener() {
    CommandResultWithReply<Command, Event, RegistryState, Reply> result = deploy("echo", "img:1");

    FunctionRecord expected = new FunctionRecord(spec(NS, "echo", "img:1"), 1, T0);
    assertEquals(new Applied(expected), result.reply());
    assertEquals(new FunctionDeployed(expected), result.event());
    assertEquals(Optional.of(expected), result.state().find("echo"));
    listened.expectMessage(new Configured(expected));
  }

  @Test
  void deployOfAnExistingNameIsAConflictAndPersistsNothing() {
    deploy("echo", "img:1");

    CommandResultWithReply<Command, Event, RegistryState, Reply> result = deploy("echo", "img:2");

    assertEquals(new Conflict("echo"), result.reply());
    assertTrue(result.hasNoEvents());
    assertEquals("img:1", result.state().find("echo").orElseThrow().spec().image());
  }

  @Test
  void updateKeepsCreatedAtAndBumpsTheVersion() {
    deploy("echo", "img:1");
    clock.set(T1);

    CommandResultWithReply<Command, Event, RegistryState, Reply> result = update("echo", "img:2");

    FunctionRecord expected = new FunctionRecord(spec(NS, "echo", "img:2"), 2, T0);
    assertEquals(new Applied(expected), result.reply());
    assertEquals(new FunctionUpdated(expected), result.event());
    listened.expectMessageClass(Configured.class);
    listened.expectMessage(new Configured(expected));
  }

  @Test
  void updateOrDeleteOfAMissingFunctionIsNotFound() {
    assertEquals(new NotFound("ghost"), update("ghost", "img:1").reply());
    assertEquals(new NotFound("ghost"), delete("ghost").reply());
    assertTrue(registry.getState().functions().isEmpty());
    listened.expectNoMessage();
  }

  @Test
  void deleteRepliesTheLastRecordAndTellsTheListenerAHigherVersion() {
    FunctionRecord deployed = ((Applied) deploy("echo", "img:1").reply()).record();

    CommandResultWithReply<Command, Event, RegistryState, Reply> result = delete("echo");

    assertEquals(new Applied(deployed), result.reply());
    assertEquals(new FunctionDeleted("echo", 2), result.event());
    assertTrue(result.state().find("echo").isEmpty());
    listened.expectMessageClass(Configured.class);
    listened.expectMessage(new Removed(new FunctionId(NS, "echo"), 2));
  }

  @Test
  void redeployAfterDeleteGetsAHigherVersionThanAnyBeforeAndANewCreatedAt() {
    deploy("echo", "img:1");
    update("echo", "img:2");
    delete("echo");
    clock.set(T1);

    CommandResultWithReply<Command, Event, RegistryState, Reply> result = deploy("echo", "img:3");

    assertEquals(new Applied(new FunctionRecord(spec(NS, "echo", "img:3"), 4, T1)), result.reply());
    registry.restart();
    assertEquals(5, registry.getState().nextVersion("echo"));
  }

  @Test
  void changedIsToldForDeploysAndUpdatesButNotOnRecovery() {
    List<String> changed = new java.util.concurrent.CopyOnWriteArrayList<>();
    RegistryListener listener =
        new RegistryListener() {
          @Override
          public void configured(FunctionRecord record) {}

          @Override
          public void removed(FunctionId id, long version) {}

          @Override
          public void changed(FunctionRecord record) {
            changed.add(Specs.name(record) + "@" + record.version());
          }
        };
    registry =
        EventSourcedBehaviorTestKit.create(
            TESTKIT.system(), FunctionRegistry.create(NS, listener, clock));
    deploy("echo", "img:1");
    update("echo", "img:2");
    delete("echo");
    deploy("other", "img:1");
    assertEquals(List.of("echo@1", "echo@2", "other@1"), changed);

    registry.restart();
    assertEquals(1, registry.getState().functions().size());
    assertEquals(List.of("echo@1", "echo@2", "other@1"), changed, "recovery tells no change");
  }

  @Test
  void lookupAndListAllAnswerFromTheStateOrderedByName() {
    deploy("zeta", "img:z");
    deploy("alpha", "img:a");

    CommandResultWithReply<Command, Event, RegistryState, FunctionRegistry.Listing> listing =
        registry.runCommand(FunctionRegistry.ListAll::new);
    CommandResultWithReply<Command, Event, RegistryState, FunctionRegistry.Found> found =
        registry.runCommand(
            (ActorRef<FunctionRegistry.Found> r) -> new FunctionRegistry.Lookup("alpha", r));
    CommandResultWithReply<Command, Event, RegistryState, FunctionRegistry.Found> missing =
        registry.runCommand(
            (ActorRef<FunctionRegistry.Found> r) -> new FunctionRegistry.Lookup("beta", r));

    assertEquals(
        List.of("alpha", "zeta"), listing.reply().functions().stream().map(Specs::name).toList());
    assertEquals("img:a", found.reply().record().orElseThrow().spec().image());
    assertEquals(Optional.empty(), missing.reply().record());
    assertTrue(listing.hasNoEvents());
  }

  /** Get and ListFunctions reply with Optional/List, which have no serializer: local asks only. */
  @Test
  void getAndListFunctionsAnswerLocalAsks() {
    deploy("zeta", "img:z");
    deploy("alpha", "img:a");
    ActorRef<Command> local =
        TESTKIT.spawn(FunctionRegistry.create(NS, RegistryListener.none(), clock));
    TestProbe<List<FunctionRecord>> lists = TESTKIT.createTestProbe();
    TestProbe<Optional<FunctionRecord>> gets = TESTKIT.createTestProbe();

    local.tell(new FunctionRegistry.ListFunctions(lists.ref()));
    local.tell(new FunctionRegistry.Get("zeta", gets.ref()));

    assertEquals(
        List.of("alpha", "zeta"), lists.receiveMessage().stream().map(Specs::name).toList());
    assertEquals("img:z", gets.receiveMessage().orElseThrow().spec().image());
    TESTKIT.stop(local);
  }

  @Test
  void recoveryTellsTheListenerEveryLiveFunction() {
    deploy("a", "img:a");
    deploy("b", "img:b");
    deploy("gone", "img:c");
    delete("gone");
    drain(4);

    registry.restart();

    List<Object> recovered = listened.receiveSeveralMessages(2);
    assertEquals(
        List.of("a", "b"),
        recovered.stream().map(m -> Specs.name(((Configured) m).record())).sorted().toList());
    assertEquals(2, registry.getState().functions().size());
  }

  @Test
  void snapshotsEveryHundredEventsAndRecoversFromThem() {
    deploy("echo", "img:0");
    for (int i = 1; i < 150; i++) {
      update("echo", "img:" + i);
    }
    RegistryState before = registry.getState();

    RegistryState snapshot =
        registry
            .snapshotTestKit()
            .orElseThrow()
            .expectNextPersistedClass("registry|" + NS, RegistryState.class);
    assertEquals(100, snapshot.find("echo").orElseThrow().version());
    assertEquals(before, registry.restart().state());
    assertEquals(150, registry.getState().find("echo").orElseThrow().version());
  }

  @Test
  void aSpecOfAnotherNamespaceIsABugThatStopsTheRegistry() {
    TestProbe<Reply> replies = TESTKIT.createTestProbe();
    ActorRef<Command> ref =
        TESTKIT.spawn(
            FunctionRegistry.create("ns-b", RegistryListener.none(), clock), "registry-ns-b");

    ref.tell(new FunctionRegistry.Deploy(spec("ns-a", "echo", "img:1"), replies.ref()));

    replies.expectTerminated(ref);
  }

  @Test
  void repliesSurviveSerialization() {
    SerializationTestKit serialization = new SerializationTestKit(TESTKIT.system());
    FunctionRecord record = new FunctionRecord(spec(NS, "echo", "img:1"), 3, T0);
    for (Object message :
        List.of(
            new Applied(record),
            new NotFound("x"),
            new Conflict("x"),
            new FunctionRegistry.Found(Optional.of(record)),
            new FunctionRegistry.Found(Optional.empty()),
            new FunctionRegistry.Listing(List.of(record)))) {
      assertEquals(message, serialization.verifySerialization(message, true));
    }
  }

  private CommandResultWithReply<Command, Event, RegistryState, Reply> deploy(
      String name, String image) {
    return registry.runCommand(
        (ActorRef<Reply> r) -> new FunctionRegistry.Deploy(spec(NS, name, image), r));
  }

  private CommandResultWithReply<Command, Event, RegistryState, Reply> update(
      String name, String image) {
    return registry.runCommand(
        (ActorRef<Reply> r) -> new FunctionRegistry.Update(spec(NS, name, image), r));
  }

  private CommandResultWithReply<Command, Event, RegistryState, Reply> delete(String name) {
    return registry.runCommand((ActorRef<Reply> r) -> new FunctionRegistry.Delete(name, r));
  }

  private void drain(int messages) {
    listened.receiveSeveralMessages(messages);
  }
}
