package dev.shardless.invoker.local;

import dev.shardless.scheduler.model.FunctionSpec;
import dev.shardless.scheduler.model.ReplicaId;
import dev.shardless.scheduler.port.ReplicaEndpoint;
import dev.shardless.scheduler.port.ReplicaEvents;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A JVM that hosts a platform with one HTTP replica (with a grandchild), for the test that kills
 * this JVM with SIGKILL. Args: data dir, path of http_server.py, pid file. Prints {@link #READY}
 * once the replica is ready, then waits forever.
 */
public final class PlatformHost {
  static final String READY = "PLATFORM-HOST-READY";

  private PlatformHost() {}

  public static void main(String[] args) throws InterruptedException {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "platform-host");
    LocalProcessPlatform platform =
        new LocalProcessPlatform(system, PlatformFixture.settings(Path.of(args[0])));
    CountDownLatch ready = new CountDownLatch(1);
    FunctionSpec spec =
        PlatformFixture.spec(
            "python3 " + args[1], Map.of("mode", "http", "SPAWN_CHILD", "1", "PID_FILE", args[2]));
    platform
        .open(PlatformFixture.FUNCTION, new LatchEvents(ready))
        .start(new ReplicaId("hosted-1"), spec);
    ready.await();
    System.out.println(READY);
    System.out.flush();
    new CountDownLatch(1).await();
  }

  private record LatchEvents(CountDownLatch ready) implements ReplicaEvents {
    @Override
    public void ready(ReplicaId id, ReplicaEndpoint endpoint) {
      ready.countDown();
    }

    @Override
    public void lost(ReplicaId id, String reason) {
      System.out.println("LOST " + reason);
      System.exit(1);
    }

    @Override
    public void stopped(ReplicaId id) {}
  }
}
