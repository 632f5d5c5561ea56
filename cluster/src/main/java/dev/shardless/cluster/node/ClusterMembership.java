package dev.shardless.cluster.node;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node becomes a member of its Pekko Cluster ({@link ClusterSettings}): Pekko Management
 * first (its readiness check reports 200 once the node is Up), then a join: with itself when it has
 * no seed nodes, through the seed nodes Pekko was configured with, or through Cluster Bootstrap.
 */
final class ClusterMembership {
  private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);

  private ClusterMembership() {}

  /** Starts Pekko Management and the join; completes with the management address once bound. */
  static CompletionStage<URI> join(ActorSystem<?> system, ClusterSettings settings) {
    CompletionStage<URI> management =
        PekkoManagement.get(system.classicSystem())
            .start()
            .thenApply(uri -> URI.create(uri.toString()));
    Cluster cluster = Cluster.get(system);
    switch (settings.discovery()) {
      case SEED_NODES -> {
        if (settings.seedNodes().isEmpty()) {
          cluster.manager().tell(Join.create(cluster.selfMember().address()));
        } else {
          // Pekko joins the seeds itself (pekko.cluster.seed-nodes, set by loadConfig).
          log.info(
              "Joining the cluster through seed nodes {} as {}",
              settings.seedNodes(),
              cluster.selfMember().address());
        }
      }
      case KUBERNETES_API -> {
        log.info("Joining the cluster through Cluster Bootstrap (Kubernetes API discovery)");
        ClusterBootstrap.get(system.classicSystem()).start();
      }
    }
    return management;
  }

  /** Completes once this node is an Up member (at once for a node that forms a cluster alone). */
  static CompletionStage<Done> up(ActorSystem<?> system) {
    CompletableFuture<Done> up = new CompletableFuture<>();
    org.apache.pekko.cluster.Cluster.get(system.classicSystem())
        .registerOnMemberUp(() -> up.complete(Done.getInstance()));
    return up;
  }
}
