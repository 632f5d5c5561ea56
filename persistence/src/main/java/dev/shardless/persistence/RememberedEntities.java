package dev.shardless.persistence;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;

/**
 * Sharding settings for the entities that must come back by themselves after a restart (function
 * registries, async job queues): remembered, with the list of remembered entities kept in the
 * journal ({@code eventsourced}) rather than in Distributed Data, so it survives a full cluster
 * restart on the same store as the entities' own events. Remembered entities are never passivated.
 */
public final class RememberedEntities {
  private RememberedEntities() {}

  public static ClusterShardingSettings settings(ActorSystem<?> system) {
    return ClusterShardingSettings.create(system)
        .withRememberEntities(true)
        .withRememberEntitiesStoreMode(
            ClusterShardingSettings.rememberEntitiesStoreModeEventSourced());
  }
}
