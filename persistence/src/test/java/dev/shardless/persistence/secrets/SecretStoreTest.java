package dev.shardless.persistence.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.shardless.persistence.secrets.SecretStore.Applied;
import dev.shardless.persistence.secrets.SecretStore.Command;
import dev.shardless.persistence.secrets.SecretStore.Conflict;
import dev.shardless.persistence.secrets.SecretStore.Event;
import dev.shardless.persistence.secrets.SecretStore.NotFound;
import dev.shardless.persistence.secrets.SecretStore.Reply;
import dev.shardless.persistence.secrets.SecretStore.SecretCreated;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SecretStoreTest {
  static final String NS = "openfaas-fn";
  static final String PLAINTEXT = "correct-horse-battery-staple";

  static final Config CONFIG =
      ConfigFactory.parseString(
              "pekko.actor.serialization-bindings {"
                  + " \"dev.shardless.scheduler.CborSerializable\" = jackson-cbor }")
          .withFallback(EventSourcedBehaviorTestKit.config())
          .withFallback(PersistenceTestKitSnapshotPlugin.config());

  static final ActorTestKit TESTKIT = ActorTestKit.create("SecretStoreTest", CONFIG);

  final SecretCipher cipher = new SecretCipher(SecretCipherTest.key(3));
  EventSourcedBehaviorTestKit<Command, Event, SecretState> store;

  @BeforeEach
  void setUp() {
    PersistenceTestKit.create(TESTKIT.system()).clearAll();
    SnapshotTestKit.create(TESTKIT.system()).clearAll();
    // Serialization checks on (the default): every command, event, reply and state round-trips.
    store = EventSourcedBehaviorTestKit.create(TESTKIT.system(), SecretStore.create(NS));
  }

  @AfterAll
  static void shutDown() {
    TESTKIT.shutdownTestKit();
  }

  Sealed seal(String name, String value) {
    return cipher.seal(NS, name, value.getBytes(StandardCharsets.UTF_8));
  }

  EventSourcedBehaviorTestKit.CommandResultWithReply<Command, Event, SecretState, Reply> create(
      String name, String value) {
    Sealed sealed = seal(name, value);
    return store.runCommand(r -> new SecretStore.Create(name, sealed, r));
  }

  @Test
  void createPersistsOnlyTheSealedValue() {
    var result = create("db", PLAINTEXT);

    assertThat(result.reply()).isEqualTo(new Applied("db"));
    SecretCreated event = (SecretCreated) result.event();
    assertThat(cipher.open(NS, "db", event.value()))
        .isEqualTo(PLAINTEXT.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void persistedEventAndSnapshotBytesDoNotContainThePlaintext() throws Exception {
    var result = create("db", PLAINTEXT);
    Serialization serialization = SerializationExtension.get(TESTKIT.system().classicSystem());

    byte[] eventBytes = serialization.serialize(result.event()).get();
    byte[] stateBytes = serialization.serialize(result.state()).get();

    String plainUtf8 = PLAINTEXT;
    assertThat(new String(eventBytes, StandardCharsets.ISO_8859_1)).doesNotContain(plainUtf8);
    assertThat(new String(stateBytes, StandardCharsets.ISO_8859_1)).doesNotContain(plainUtf8);
    // The name is not secret and is there: the check above looks at the right bytes.
    assertThat(new String(eventBytes, StandardCharsets.ISO_8859_1)).contains("db");
  }

  @Test
  void createOfAnExistingNameIsAConflictAndPersistsNothing() {
    create("db", "one");

    var result = create("db", "two");

    assertThat(result.reply()).isEqualTo(new Conflict("db"));
    assertThat(result.hasNoEvents()).isTrue();
  }

  @Test
  void updateReplacesTheValueAndDeleteRemovesIt() {
    create("db", "one");
    Sealed two = seal("db", "two");

    var updated = store.<Reply>runCommand(r -> new SecretStore.Update("db", two, r));
    assertThat(updated.reply()).isEqualTo(new Applied("db"));
    assertThat(updated.state().find("db")).contains(two);

    var deleted = store.<Reply>runCommand(r -> new SecretStore.Delete("db", r));
    assertThat(deleted.reply()).isEqualTo(new Applied("db"));
    assertThat(deleted.state().names()).isEmpty();
  }

  @Test
  void updateOrDeleteOfAMissingSecretIsNotFound() {
    Sealed v = seal("ghost", "x");

    assertThat(store.<Reply>runCommand(r -> new SecretStore.Update("ghost", v, r)).reply())
        .isEqualTo(new NotFound("ghost"));
    assertThat(store.<Reply>runCommand(r -> new SecretStore.Delete("ghost", r)).reply())
        .isEqualTo(new NotFound("ghost"));
  }

  @Test
  void listGivesNamesInOrderAndFetchOnlyTheOnesThatExist() {
    create("zeta", "z");
    create("alpha", "a");

    assertThat(store.<SecretStore.Names>runCommand(SecretStore.ListNames::new).reply().names())
        .containsExactly("alpha", "zeta");
    SecretStore.Values values =
        store
            .<SecretStore.Values>runCommand(
                r -> new SecretStore.Fetch(List.of("zeta", "missing"), r))
            .reply();
    assertThat(values.values()).containsOnlyKeys("zeta");
  }

  @Test
  void stateIsRecoveredFromTheJournal() {
    create("db", "one");
    create("api", "two");
    store.<Reply>runCommand(r -> new SecretStore.Delete("api", r));

    store.restart();

    assertThat(store.getState().names()).containsExactly("db");
    assertThat(cipher.open(NS, "db", store.getState().find("db").orElseThrow()))
        .isEqualTo("one".getBytes(StandardCharsets.UTF_8));
  }
}
