package dev.shardless.cluster.node;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node becomes a member of its Pekko Cluster ({@link ClusterSettings}): Pekko Management
 * first (its readiness check reports 200 once the node is Up), then, once every sharded type is
 * initialized, a join: with itself when it has no seed nodes, through the seed nodes, or through
 * Cluster Bootstrap.
 */
final class ClusterMembership {
  private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);

  private ClusterMembership() {}

  /** Starts Pekko Management; completes with its address once bound. */
  static CompletionStage<URI> startManagement(ActorSystem<?> system) {
    return PekkoManagement.get(system.classicSystem())
        .start()
        .thenApply(uri -> URI.create(uri.toString()));
  }

  /**
   * Joins the cluster. Call it once every sharded entity type is initialized on this node: a member
   * may be given shards of any type at once, and a type not started there fails them.
   */
  static void join(ActorSystem<?> system, ClusterSettings settings) {
    Cluster cluster = Cluster.get(system);
    switch (settings.discovery()) {
      case SEED_NODES -> {
        if (settings.seedNodes().isEmpty()) {
          cluster.manager().tell(Join.create(cluster.selfMember().address()));
        } else {
          log.info(
              "Joining the cluster through seed nodes {} as {}",
              settings.seedNodes(),
              cluster.selfMember().address());
          cluster
              .manager()
              .tell(
                  new JoinSeedNodes(
                      settings.seedAddresses().stream().map(AddressFromURIString::parse).toList()));
        }
      }
      case KUBERNETES_API -> {
        log.info("Joining the cluster through Cluster Bootstrap (Kubernetes API discovery)");
        ClusterBootstrap.get(system.classicSystem()).start();
      }
    }
  }

  /** Completes once this node is an Up member. */
  static CompletionStage<Done> up(ActorSystem<?> system) {
    CompletableFuture<Done> up = new CompletableFuture<>();
    org.apache.pekko.cluster.Cluster.get(system.classicSystem())
        .registerOnMemberUp(() -> up.complete(Done.getInstance()));
    return up;
  }
}
