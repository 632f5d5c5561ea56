package dev.shardless.persistence.registry;

import dev.shardless.persistence.RememberedEntities;
import dev.shardless.scheduler.CborSerializable;
import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.FunctionRecord;
import dev.shardless.scheduler.model.FunctionSpec;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The durable list of one namespace's functions: an event-sourced, sharded entity whose entity id
 * is the namespace and whose persistence id is {@code registry|<namespace>}. It answers the
 * gateway's deploy/update/delete/list calls and the catalog look-ups of starting entities, and
 * tells a {@link RegistryListener} about every definition in force.
 *
 * <p>Versions: each change of a name takes {@link RegistryState#nextVersion}, so versions only
 * grow, across deletes too (see {@link RegistryState}). {@code createdAt} is the clock's time at
 * the first deploy and is kept by updates; a redeploy after a delete is a new first deploy.
 *
 * <p>Replies go out only after the event is persisted. A spec whose namespace is not this
 * registry's is a routing bug in the caller (the gateway routes by namespace), so the command
 * handler throws {@link IllegalArgumentException}: the entity stops, the caller's ask times out,
 * and sharding recovers the entity on the next message.
 *
 * <p>Nothing is lost on rebalance or restart: the state is rebuilt from the journal (snapshot every
 * 100 events, the last 2 kept) and every live function is told to the listener again. Like every
 * {@code EventSourcedBehavior}, it stashes at most a few thousand commands while persisting; the
 * registry sees admin traffic and entity start-ups only, far below that.
 */
public final class FunctionRegistry
    extends EventSourcedBehaviorWithEnforcedReplies<
        FunctionRegistry.Command, FunctionRegistry.Event, RegistryState> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "registry");

  /** Events between snapshots. */
  static final int SNAPSHOT_EVERY = 100;

  /** Snapshots kept. */
  static final int SNAPSHOTS_KEPT = 2;

  /** Everything the registry of one namespace understands. */
  public sealed interface Command extends CborSerializable {}

  /** Deploy a new function (POST). Replies Applied, or Conflict when it exists. */
  public record Deploy(FunctionSpec spec, ActorRef<Reply> replyTo) implements Command {}

  /** Update an existing function (PUT). Replies Applied, or NotFound. */
  public record Update(FunctionSpec spec, ActorRef<Reply> replyTo) implements Command {}

  /** Delete a function. Replies Applied (with the last record), or NotFound. */
  public record Delete(String name, ActorRef<Reply> replyTo) implements Command {}

  /**
   * One function's record. The reply ({@code Optional}) has no serializer: only for a registry on
   * the same node. Across nodes use {@link Lookup}.
   */
  public record Get(String name, ActorRef<Optional<FunctionRecord>> replyTo) implements Command {}

  /**
   * Every function of this namespace, ordered by name. The reply ({@code List}) has no serializer:
   * only for a registry on the same node. Across nodes use {@link ListAll}.
   */
  public record ListFunctions(ActorRef<List<FunctionRecord>> replyTo) implements Command {}

  /** One function's record, answered with a serializable {@link Found}. */
  public record Lookup(String name, ActorRef<Found> replyTo) implements Command {}

  /** Every function of this namespace, answered with a serializable {@link Listing}. */
  public record ListAll(ActorRef<Listing> replyTo) implements Command {}

  /** Answer to {@link Lookup}. */
  public record Found(Optional<FunctionRecord> record) implements CborSerializable {}

  /** Answer to {@link ListAll}: the functions ordered by name. */
  public record Listing(List<FunctionRecord> functions) implements CborSerializable {
    public Listing {
      functions = List.copyOf(functions);
    }
  }

  /** Answer to a change. */
  public sealed interface Reply extends CborSerializable {}

  /** The change is persisted and in force. */
  public record Applied(FunctionRecord record) implements Reply {}

  /** No such function. */
  public record NotFound(String name) implements Reply {}

  /** Deploy of a function that already exists. */
  public record Conflict(String name) implements Reply {}

  /** What the journal holds. */
  public sealed interface Event extends CborSerializable {}

  /** A function was deployed (first version, or again after a delete). */
  public record FunctionDeployed(FunctionRecord record) implements Event {}

  /** A function's definition was replaced; {@code createdAt} is the deployed one. */
  public record FunctionUpdated(FunctionRecord record) implements Event {}

  /** A function was deleted; the deletion consumed {@code version}. */
  public record FunctionDeleted(String name, long version) implements Event {}

  private final ActorContext<Command> context;
  private final String namespace;
  private final RegistryListener listener;
  private final Clock clock;

  private FunctionRegistry(
      ActorContext<Command> context, String namespace, RegistryListener listener, Clock clock) {
    super(persistenceIdOf(namespace));
    this.context = context;
    this.namespace = namespace;
    this.listener = listener;
    this.clock = clock;
  }

  /** The registry of {@code namespace}; {@code clock} stamps {@code createdAt}. */
  public static Behavior<Command> create(String namespace, RegistryListener listener, Clock clock) {
    return Behaviors.setup(ctx -> new FunctionRegistry(ctx, namespace, listener, clock));
  }

  /** {@code registry|<namespace>}. */
  public static PersistenceId persistenceIdOf(String namespace) {
    return PersistenceId.of(TYPE_KEY.name(), namespace);
  }

  /**
   * Starts sharding of the registries on this node. Entities are remembered (in the journal), so
   * after a full cluster restart every namespace's registry starts by itself and wakes its
   * functions' entities through the listener; remembered entities are never passivated.
   */
  public static ActorRef<ShardingEnvelope<Command>> init(
      ActorSystem<?> system, RegistryListener listener, Clock clock) {
    return ClusterSharding.get(system)
        .init(
            Entity.of(TYPE_KEY, ctx -> create(ctx.getEntityId(), listener, clock))
                .withSettings(RememberedEntities.settings(system)));
  }

  @Override
  public RegistryState emptyState() {
    return RegistryState.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, SNAPSHOTS_KEPT);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, RegistryState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Deploy.class, this::onDeploy)
        .onCommand(Update.class, this::onUpdate)
        .onCommand(Delete.class, this::onDelete)
        .onCommand(Get.class, this::onGet)
        .onCommand(ListFunctions.class, this::onListFunctions)
        .onCommand(Lookup.class, this::onLookup)
        .onCommand(ListAll.class, this::onListAll)
        .build();
  }

  private ReplyEffect<Event, RegistryState> onDeploy(RegistryState state, Deploy cmd) {
    String name = nameInThisNamespace(cmd.spec());
    if (state.find(name).isPresent()) {
      return Effect().reply(cmd.replyTo(), new Conflict(name));
    }
    FunctionRecord record =
        new FunctionRecord(cmd.spec(), state.nextVersion(name), clock.instant());
    return Effect()
        .persist(new FunctionDeployed(record))
        .thenRun(s -> notifyChanged(record))
        .thenReply(cmd.replyTo(), s -> new Applied(record));
  }

  private ReplyEffect<Event, RegistryState> onUpdate(RegistryState state, Update cmd) {
    String name = nameInThisNamespace(cmd.spec());
    Optional<FunctionRecord> current = state.find(name);
    if (current.isEmpty()) {
      return Effect().reply(cmd.replyTo(), new NotFound(name));
    }
    FunctionRecord record =
        new FunctionRecord(cmd.spec(), state.nextVersion(name), current.get().createdAt());
    return Effect()
        .persist(new FunctionUpdated(record))
        .thenRun(s -> notifyChanged(record))
        .thenReply(cmd.replyTo(), s -> new Applied(record));
  }

  private ReplyEffect<Event, RegistryState> onDelete(RegistryState state, Delete cmd) {
    Optional<FunctionRecord> current = state.find(cmd.name());
    if (current.isEmpty()) {
      return Effect().reply(cmd.replyTo(), new NotFound(cmd.name()));
    }
    long version = state.nextVersion(cmd.name());
    return Effect()
        .persist(new FunctionDeleted(cmd.name(), version))
        .thenRun(s -> notifyRemoved(cmd.name(), version))
        .thenReply(cmd.replyTo(), s -> new Applied(current.get()));
  }

  private ReplyEffect<Event, RegistryState> onGet(RegistryState state, Get cmd) {
    return Effect().reply(cmd.replyTo(), state.find(cmd.name()));
  }

  private ReplyEffect<Event, RegistryState> onListFunctions(
      RegistryState state, ListFunctions cmd) {
    return Effect().reply(cmd.replyTo(), state.all());
  }

  private ReplyEffect<Event, RegistryState> onLookup(RegistryState state, Lookup cmd) {
    return Effect().reply(cmd.replyTo(), new Found(state.find(cmd.name())));
  }

  private ReplyEffect<Event, RegistryState> onListAll(RegistryState state, ListAll cmd) {
    return Effect().reply(cmd.replyTo(), new Listing(state.all()));
  }

  private String nameInThisNamespace(FunctionSpec spec) {
    if (!namespace.equals(spec.id().namespace())) {
      throw new IllegalArgumentException(
          "registry of namespace "
              + namespace
              + " got a function of namespace "
              + spec.id().namespace()
              + ": the caller must route by namespace");
    }
    return spec.id().name();
  }

  @Override
  public EventHandler<RegistryState, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(FunctionDeployed.class, (state, e) -> state.withFunction(e.record()))
        .onEvent(FunctionUpdated.class, (state, e) -> state.withFunction(e.record()))
        .onEvent(FunctionDeleted.class, (state, e) -> state.withoutFunction(e.name(), e.version()))
        .build();
  }

  @Override
  public SignalHandler<RegistryState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.class, this::onRecoveryCompleted)
        .build();
  }

  private void onRecoveryCompleted(RegistryState state, RecoveryCompleted signal) {
    context
        .getLog()
        .info("Registry {} recovered {} functions", namespace, state.functions().size());
    state.functions().values().forEach(this::notifyConfigured);
  }

  private void notifyConfigured(FunctionRecord record) {
    try {
      listener.configured(record);
    } catch (RuntimeException e) {
      context.getLog().error("Registry listener failed on configured {}", record.spec().id(), e);
    }
  }

  private void notifyChanged(FunctionRecord record) {
    notifyConfigured(record);
    try {
      listener.changed(record);
    } catch (RuntimeException e) {
      context.getLog().error("Registry listener failed on changed {}", record.spec().id(), e);
    }
  }

  private void notifyRemoved(String name, long version) {
    FunctionId id = new FunctionId(namespace, name);
    try {
      listener.removed(id, version);
    } catch (RuntimeException e) {
      context.getLog().error("Registry listener failed on removed {}", id, e);
    }
  }
}
