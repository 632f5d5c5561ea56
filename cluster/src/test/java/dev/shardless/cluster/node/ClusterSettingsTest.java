package dev.shardless.cluster.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.shardless.persistence.PersistenceSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {
  private static Config with(String hocon) {
    return ConfigFactory.parseString(hocon)
        .withFallback(ConfigFactory.parseResources("reference.conf"))
        .resolve();
  }

  private static PersistenceSettings backend(String name) {
    return PersistenceSettings.fromConfig(
        ConfigFactory.parseString("shardless.persistence.backend = " + name));
  }

  @Test
  void withoutSeedNodesTheNodeFormsAClusterAlone() {
    ClusterSettings s = ClusterSettings.fromConfig(with(""));
    assertThat(s.formsAlone()).isTrue();
    assertThat(s.multiNode("127.0.0.1:0")).isFalse();
    assertThat(s.managementPort()).isEqualTo(7626);
    assertThat(s.managementHost()).isEqualTo("127.0.0.1");
    s.checkJournal(backend("h2"), "127.0.0.1:0");
  }

  @Test
  void seedNodesBecomePekkoAddresses() {
    ClusterSettings s =
        ClusterSettings.fromConfig(
            with("shardless.cluster.seed-nodes = \" 10.0.0.1:25520, 10.0.0.2:25520 \""));
    assertThat(s.seedAddresses())
        .containsExactly("pekko://shardless@10.0.0.1:25520", "pekko://shardless@10.0.0.2:25520");
    assertThat(s.formsAlone()).isFalse();
  }

  @Test
  void aSeedListNamingOnlyThisNodeIsStillASingleNode() {
    ClusterSettings s =
        ClusterSettings.fromConfig(with("shardless.cluster.seed-nodes = \"127.0.0.1:25520\""));
    assertThat(s.multiNode("127.0.0.1:25520")).isFalse();
    s.checkJournal(backend("h2"), "127.0.0.1:25520");
  }

  @Test
  void severalNodesOnTheEmbeddedJournalAreRefusedNamingTheSettings() {
    ClusterSettings s =
        ClusterSettings.fromConfig(
            with("shardless.cluster.seed-nodes = \"127.0.0.1:25520,127.0.0.1:25521\""));
    assertThatThrownBy(() -> s.checkJournal(backend("h2"), "127.0.0.1:25520"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SHARDLESS_SEED_NODES")
        .hasMessageContaining("SHARDLESS_PERSISTENCE=cassandra");
    s.checkJournal(backend("cassandra"), "127.0.0.1:25520");
  }

  @Test
  void kubernetesDiscoveryConfiguresClusterBootstrapAndNeedsCassandra() {
    ClusterSettings s =
        ClusterSettings.fromConfig(with("shardless.cluster.discovery = kubernetes-api"));
    assertThat(
            s.pekkoConfig()
                .getString(
                    "pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"))
        .isEqualTo("kubernetes-api");
    assertThat(
            s.pekkoConfig()
                .getString(
                    "pekko.management.cluster.bootstrap.contact-point-discovery.service-name"))
        .isEqualTo("shardless");
    assertThat(
            s.pekkoConfig()
                .getInt(
                    "pekko.management.cluster.bootstrap.contact-point-discovery"
                        + ".required-contact-point-nr"))
        .isEqualTo(2);
    assertThat(s.pekkoConfig().getString("pekko.discovery.kubernetes-api.pod-label-selector"))
        .isEqualTo("app=%s");
    assertThat(s.pekkoConfig().getBoolean("pekko.discovery.kubernetes-api.use-raw-ip")).isTrue();
    assertThatThrownBy(() -> s.checkJournal(backend("h2"), "127.0.0.1:0"))
        .hasMessageContaining("SHARDLESS_DISCOVERY=kubernetes-api");
  }

  @Test
  void bootstrapNeedsAtLeastOneContactPoint() {
    assertThatThrownBy(
            () ->
                ClusterSettings.fromConfig(
                    with("shardless.cluster.bootstrap-required-contacts = 0")))
        .hasMessage("shardless.cluster.bootstrap-required-contacts must be >= 1, was 0");
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    for (String bad : List.of("nohost", "host:", "host:x", "host:70000")) {
      assertThatThrownBy(
              () ->
                  ClusterSettings.fromConfig(
                      with("shardless.cluster.seed-nodes = \"" + bad + "\"")))
          .hasMessageContaining("shardless.cluster.seed-nodes")
          .hasMessageContaining(bad);
    }
    assertThatThrownBy(() -> ClusterSettings.fromConfig(with("shardless.cluster.discovery = dns")))
        .hasMessageContaining("shardless.cluster.discovery");
    assertThatThrownBy(
            () -> ClusterSettings.fromConfig(with("shardless.cluster.management-port = 70000")))
        .hasMessageContaining("shardless.cluster.management-port");
  }
}
