package dev.shardless.persistence.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CassandraServerTest {

  @Test
  void theRepositoryRootIsTheNearestFolderWithTheLauncher() {
    Path root = CassandraServer.repositoryRoot(Path.of("").toAbsolutePath());

    assertTrue(Files.isExecutable(root.resolve("shardless")), root.toString());
    assertTrue(Files.isDirectory(root.resolve("persistence/cassandra-server")), root.toString());
  }

  @Test
  void withoutALauncherAboveThereIsNoRoot() {
    assertThrows(IllegalStateException.class, () -> CassandraServer.repositoryRoot(Path.of("/")));
  }

  @Test
  void bothPortsOfAFreePairCanBeBound() throws IOException {
    int p = CassandraServer.freePortPair();

    InetAddress loopback = InetAddress.getLoopbackAddress();
    new ServerSocket(p, 1, loopback).close();
    new ServerSocket(p + 1, 1, loopback).close();
  }
}
