package dev.shardless.cluster.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.shardless.persistence.PersistenceSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a node finds the other members of its Pekko Cluster ({@code shardless.cluster} in
 * reference.conf), parsed and checked once.
 *
 * <ul>
 *   <li>{@code seed-nodes} discovery with no seed nodes: the node forms a cluster of its own (the
 *       single-node default).
 *   <li>{@code seed-nodes} with a list of {@code host:port} cluster addresses: Pekko joins the
 *       first seed node that answers; the first seed in the list forms the cluster when none does.
 *       Every node should be given the same list.
 *   <li>{@code kubernetes-api}: Pekko Cluster Bootstrap finds the nodes through the Kubernetes API
 *       (needs {@code pekko-discovery-kubernetes-api} on the class path; issue 6).
 * </ul>
 *
 * <p>A cluster of several nodes shares the journal, so it needs Cassandra: on the embedded H2
 * journal (single-process) a node that names other nodes refuses to start.
 *
 * @param discovery how members are found
 * @param seedNodes {@code host:port} of seed nodes' cluster ports (seed-nodes discovery)
 * @param managementHost address Pekko Management (health, readiness, cluster routes) listens on
 * @param managementPort port of Pekko Management; 0 picks a free one
 * @param shutdownDrain how long a stopping node's gateway waits for the requests it is serving
 * @param bootstrap kubernetes-api discovery: which pods are this platform's nodes, and how many
 *     must be seen before a new cluster forms
 */
public record ClusterSettings(
    Discovery discovery,
    List<String> seedNodes,
    String managementHost,
    int managementPort,
    Duration shutdownDrain,
    Bootstrap bootstrap) {

  /**
   * Cluster Bootstrap with kubernetes-api discovery.
   *
   * @param service the value of the platform pods' {@code app} label
   * @param requiredContacts pods that must be seen before the lowest-addressed forms a cluster
   */
  public record Bootstrap(String service, int requiredContacts) {
    public Bootstrap {
      if (service.isBlank()) {
        throw new IllegalArgumentException(PREFIX + "bootstrap-service must not be empty");
      }
      if (requiredContacts < 1) {
        throw new IllegalArgumentException(
            PREFIX + "bootstrap-required-contacts must be >= 1, was " + requiredContacts);
      }
    }
  }

  static final String PREFIX = "shardless.cluster.";

  /** The actor system's name; part of every member's address. */
  public static final String SYSTEM_NAME = "shardless";

  /** How members find each other. */
  public enum Discovery {
    SEED_NODES,
    KUBERNETES_API
  }

  public ClusterSettings {
    seedNodes = List.copyOf(seedNodes);
    if (managementPort < 0 || managementPort > 65535) {
      throw new IllegalArgumentException(
          PREFIX + "management-port must be in 0..65535, was " + managementPort);
    }
    if (shutdownDrain.isNegative() || shutdownDrain.compareTo(Duration.ofSeconds(30)) > 0) {
      throw new IllegalArgumentException(
          PREFIX + "shutdown-drain must be in 0s..30s, was " + shutdownDrain);
    }
    if (managementHost.isBlank()) {
      throw new IllegalArgumentException(PREFIX + "management-host must not be empty");
    }
  }

  public static ClusterSettings fromConfig(Config root) {
    Config c = root.getConfig("shardless.cluster");
    List<String> seeds = new ArrayList<>();
    for (String s : c.getString("seed-nodes").split(",")) {
      String seed = s.trim();
      if (!seed.isEmpty()) {
        seeds.add(checkSeed(seed));
      }
    }
    return new ClusterSettings(
        parseDiscovery(c.getString("discovery")),
        seeds,
        c.getString("management-host").trim(),
        c.getInt("management-port"),
        c.getDuration("shutdown-drain"),
        new Bootstrap(
            c.getString("bootstrap-service").trim(), c.getInt("bootstrap-required-contacts")));
  }

  private static Discovery parseDiscovery(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "seed-nodes" -> Discovery.SEED_NODES;
      case "kubernetes-api" -> Discovery.KUBERNETES_API;
      default ->
          throw new IllegalArgumentException(
              PREFIX
                  + "discovery (SHARDLESS_DISCOVERY) must be \"seed-nodes\" or"
                  + " \"kubernetes-api\", was \""
                  + value
                  + "\"");
    };
  }

  private static String checkSeed(String seed) {
    int colon = seed.lastIndexOf(':');
    String problem = null;
    if (colon <= 0 || colon == seed.length() - 1) {
      problem = "is not host:port";
    } else {
      try {
        int port = Integer.parseInt(seed.substring(colon + 1));
        if (port < 1 || port > 65535) {
          problem = "has a port outside 1..65535";
        }
      } catch (NumberFormatException e) {
        problem = "has a port that is not a number";
      }
    }
    if (problem != null) {
      throw new IllegalArgumentException(
          PREFIX + "seed-nodes (SHARDLESS_SEED_NODES): '" + seed + "' " + problem);
    }
    return seed;
  }

  /** The seed nodes as Pekko addresses: {@code pekko://shardless@host:port}. */
  public List<String> seedAddresses() {
    return seedNodes.stream().map(s -> "pekko://" + SYSTEM_NAME + "@" + s).toList();
  }

  /**
   * True when this node is meant to share the cluster with others: seed nodes other than itself
   * ({@code self} is its own {@code host:port}), or discovery through Kubernetes.
   */
  public boolean multiNode(String self) {
    return discovery == Discovery.KUBERNETES_API
        || seedNodes.stream().anyMatch(s -> !s.equals(self));
  }

  /** True when the node joins itself at start (no seed nodes, no bootstrap). */
  public boolean formsAlone() {
    return discovery == Discovery.SEED_NODES && seedNodes.isEmpty();
  }

  /**
   * Refuses a cluster of several nodes on the embedded H2 journal, which only one process can open.
   *
   * @throws IllegalArgumentException naming the settings to change
   */
  public void checkJournal(PersistenceSettings persistence, String self) {
    if (persistence.backend() == PersistenceSettings.Backend.H2 && multiNode(self)) {
      throw new IllegalArgumentException(
          (discovery == Discovery.KUBERNETES_API
                  ? "SHARDLESS_DISCOVERY=kubernetes-api"
                  : "SHARDLESS_SEED_NODES names other nodes (" + String.join(",", seedNodes) + ")")
              + ", but shardless.persistence.backend (SHARDLESS_PERSISTENCE) is h2: the embedded"
              + " journal is single-process and cannot be shared; a cluster of several nodes needs"
              + " SHARDLESS_PERSISTENCE=cassandra");
    }
  }

  /**
   * The Pekko settings that follow from these: bootstrap's discovery method. Seed nodes are not
   * among them: the node joins them itself once it is ready ({@code ClusterMembership}), not as
   * soon as the actor system starts.
   */
  public Config pekkoConfig() {
    Config out = ConfigFactory.empty();
    if (discovery == Discovery.KUBERNETES_API) {
      String discovery = "pekko.management.cluster.bootstrap.contact-point-discovery.";
      out =
          out.withValue(
                  discovery + "discovery-method", ConfigValueFactory.fromAnyRef("kubernetes-api"))
              .withValue(
                  discovery + "service-name", ConfigValueFactory.fromAnyRef(bootstrap.service()))
              .withValue(
                  discovery + "required-contact-point-nr",
                  ConfigValueFactory.fromAnyRef(bootstrap.requiredContacts()))
              // The platform's pods: app=<service> in this pod's namespace, on the port named
              // "management" (k8s/deploy/base/platform.yaml).
              .withValue(
                  "pekko.discovery.kubernetes-api.pod-label-selector",
                  ConfigValueFactory.fromAnyRef("app=%s"))
              // Probe each contact point at its podIP. Pekko's default (false) probes
              // <a-b-c-d>.<namespace>.pod.cluster.local instead, which only resolves where the
              // cluster DNS serves pod records (CoreDNS "pods insecure"), and not off-cluster.
              .withValue(
                  "pekko.discovery.kubernetes-api.use-raw-ip", ConfigValueFactory.fromAnyRef(true));
    }
    return out;
  }
}
