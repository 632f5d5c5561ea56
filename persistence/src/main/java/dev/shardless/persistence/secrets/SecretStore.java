package dev.shardless.persistence.secrets;

import dev.shardless.persistence.RememberedEntities;
import dev.shardless.scheduler.CborSerializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The durable secrets of one namespace: an event-sourced, sharded entity whose entity id is the
 * namespace and whose persistence id is {@code secrets|<namespace>}. It holds only {@link Sealed}
 * values: callers encrypt before they send ({@link SecretCatalog}), so neither the journal, the
 * snapshots nor the cluster messages ever carry a plaintext value, and the key never enters the
 * entity.
 *
 * <p>Replies go out only after the event is persisted. Nothing is lost on rebalance or restart: the
 * state is rebuilt from the journal (snapshot every 100 events, the last 2 kept; older events and
 * snapshots, which may hold values since overwritten, are deleted with them). Remembered, so it
 * comes back by itself after a full restart. Only admin calls and replica starts reach it.
 */
public final class SecretStore
    extends EventSourcedBehaviorWithEnforcedReplies<
        SecretStore.Command, SecretStore.Event, SecretState> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "secrets");

  static final int SNAPSHOT_EVERY = 100;
  static final int SNAPSHOTS_KEPT = 2;

  /** Everything the secret store of one namespace understands. */
  public sealed interface Command extends CborSerializable {}

  /** Creates a secret (POST). Replies Applied, or Conflict when it exists. */
  public record Create(String name, Sealed value, ActorRef<Reply> replyTo) implements Command {}

  /** Replaces a secret's value (PUT). Replies Applied, or NotFound. */
  public record Update(String name, Sealed value, ActorRef<Reply> replyTo) implements Command {}

  /** Deletes a secret. Replies Applied, or NotFound. */
  public record Delete(String name, ActorRef<Reply> replyTo) implements Command {}

  /** The names of this namespace's secrets. */
  public record ListNames(ActorRef<Names> replyTo) implements Command {}

  /** The sealed values of {@code names}; the missing ones are left out of the answer. */
  public record Fetch(List<String> names, ActorRef<Values> replyTo) implements Command {}

  /** Answer to {@link ListNames}: ordered by name. */
  public record Names(List<String> names) implements CborSerializable {
    public Names {
      names = List.copyOf(names);
    }
  }

  /** Answer to {@link Fetch}: the sealed values found, in the order asked. */
  public record Values(Map<String, Sealed> values) implements CborSerializable {
    public Values {
      values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }
  }

  /** Answer to a change. */
  public sealed interface Reply extends CborSerializable {}

  /** The change is persisted. */
  public record Applied(String name) implements Reply {}

  /** No such secret. */
  public record NotFound(String name) implements Reply {}

  /** Create of a secret that already exists. */
  public record Conflict(String name) implements Reply {}

  /** What the journal holds: names and sealed values only. */
  public sealed interface Event extends CborSerializable {}

  public record SecretCreated(String name, Sealed value) implements Event {}

  public record SecretUpdated(String name, Sealed value) implements Event {}

  public record SecretDeleted(String name) implements Event {}

  private SecretStore(String namespace) {
    super(persistenceIdOf(namespace));
  }

  /** The store of {@code namespace}. */
  public static Behavior<Command> create(String namespace) {
    return Behaviors.setup(ctx -> new SecretStore(namespace));
  }

  /** {@code secrets|<namespace>}. */
  public static PersistenceId persistenceIdOf(String namespace) {
    return PersistenceId.of(TYPE_KEY.name(), namespace);
  }

  /** Starts sharding of the secret stores on this node; entities are remembered. */
  public static ActorRef<ShardingEnvelope<Command>> init(ActorSystem<?> system) {
    return ClusterSharding.get(system)
        .init(
            Entity.of(TYPE_KEY, ctx -> create(ctx.getEntityId()))
                .withSettings(RememberedEntities.settings(system)));
  }

  @Override
  public SecretState emptyState() {
    return SecretState.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, SNAPSHOTS_KEPT)
        .withDeleteEventsOnSnapshot();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, SecretState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Create.class, this::onCreate)
        .onCommand(Update.class, this::onUpdate)
        .onCommand(Delete.class, this::onDelete)
        .onCommand(ListNames.class, this::onListNames)
        .onCommand(Fetch.class, this::onFetch)
        .build();
  }

  private ReplyEffect<Event, SecretState> onCreate(SecretState state, Create cmd) {
    if (state.contains(cmd.name())) {
      return Effect().reply(cmd.replyTo(), new Conflict(cmd.name()));
    }
    return Effect()
        .persist(new SecretCreated(cmd.name(), cmd.value()))
        .thenReply(cmd.replyTo(), s -> new Applied(cmd.name()));
  }

  private ReplyEffect<Event, SecretState> onUpdate(SecretState state, Update cmd) {
    if (!state.contains(cmd.name())) {
      return Effect().reply(cmd.replyTo(), new NotFound(cmd.name()));
    }
    return Effect()
        .persist(new SecretUpdated(cmd.name(), cmd.value()))
        .thenReply(cmd.replyTo(), s -> new Applied(cmd.name()));
  }

  private ReplyEffect<Event, SecretState> onDelete(SecretState state, Delete cmd) {
    if (!state.contains(cmd.name())) {
      return Effect().reply(cmd.replyTo(), new NotFound(cmd.name()));
    }
    return Effect()
        .persist(new SecretDeleted(cmd.name()))
        .thenReply(cmd.replyTo(), s -> new Applied(cmd.name()));
  }

  private ReplyEffect<Event, SecretState> onListNames(SecretState state, ListNames cmd) {
    return Effect().reply(cmd.replyTo(), new Names(state.names()));
  }

  private ReplyEffect<Event, SecretState> onFetch(SecretState state, Fetch cmd) {
    Map<String, Sealed> found = new LinkedHashMap<>();
    for (String name : cmd.names()) {
      state.find(name).ifPresent(v -> found.put(name, v));
    }
    return Effect().reply(cmd.replyTo(), new Values(found));
  }

  @Override
  public EventHandler<SecretState, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(SecretCreated.class, (state, e) -> state.with(e.name(), e.value()))
        .onEvent(SecretUpdated.class, (state, e) -> state.with(e.name(), e.value()))
        .onEvent(SecretDeleted.class, (state, e) -> state.without(e.name()))
        .build();
  }
}
