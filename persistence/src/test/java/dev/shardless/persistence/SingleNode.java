package dev.shardless.persistence;

import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.shardless.persistence.journal.JournalConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * A one-node cluster on a real journal, for integration tests that restart a node and expect
 * sharded, remembered entities to come back: the embedded H2 file under a data directory, or the
 * store a test layers over the node's configuration (such as {@code
 * CassandraServer#persistenceConfig}).
 */
public final class SingleNode {
  /** Upper bound for a stage that must complete; a hang guard, not a timing assertion. */
  public static final Duration GUARD = Duration.ofMinutes(1);

  static final Config NODE =
      ConfigFactory.parseString(
          String.join(
              "\n",
              "pekko.actor.provider = cluster",
              "pekko.remote.artery.canonical.hostname = 127.0.0.1",
              "pekko.remote.artery.canonical.port = 0",
              "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
              "pekko.actor.serialization-bindings {",
              "  \"dev.shardless.scheduler.CborSerializable\" = jackson-cbor",
              "}",
              "shardless.persistence.ask-timeout = 30s"));

  private SingleNode() {}

  /**
   * Starts the node on the H2 file journal under {@code dataDir}; see {@link #start(Path, String,
   * Config)}.
   */
  public static ActorSystem<Void> start(Path dataDir, String name) throws Exception {
    return start(dataDir, name, ConfigFactory.empty());
  }

  /**
   * Starts the node on {@code store} (layered over the node's configuration; empty for the H2
   * default), creates the journal's tables, and waits until it is an Up member.
   */
  public static ActorSystem<Void> start(Path dataDir, String name, Config store) throws Exception {
    ActorSystem<Void> node = create(dataDir, name, store);
    result(JournalConfig.prepare(node));
    joinItself(node);
    return node;
  }

  /**
   * The node's actor system on {@code store}, its journal not yet prepared and the node not yet a
   * member: for a test that makes the store available only later. Then {@link #joinItself}.
   */
  public static ActorSystem<Void> create(Path dataDir, String name, Config store) {
    Config base = store.withFallback(NODE).withFallback(ConfigFactory.load());
    Config config = JournalConfig.forDataDir(dataDir, base).withFallback(base);
    return ActorSystem.create(Behaviors.empty(), name, config);
  }

  /** Makes {@code node} a one-node cluster and waits until it is an Up member. */
  public static void joinItself(ActorSystem<?> node) {
    Cluster cluster = Cluster.get(node);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    await().atMost(GUARD).until(() -> cluster.selfMember().status() == MemberStatus.up());
  }

  public static void terminate(ActorSystem<Void> node) throws Exception {
    node.terminate();
    result(node.getWhenTerminated());
  }

  public static <T> T result(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(GUARD.toSeconds(), TimeUnit.SECONDS);
  }
}
