package dev.shardless.persistence.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The harness against a real server: ready means CQL answers; close leaves nothing running. */
class CassandraServerIT {

  @Test
  void aPrivateServerAnswersCqlAndLeavesNoProcessOrDataBehind() throws Exception {
    long pid;
    Path log;
    try (CassandraServer server = CassandraServer.start()) {
      pid = server.pid().orElseThrow();
      log = server.log().orElseThrow();
      try (CqlSession session = server.connect()) {
        String version =
            session.execute("SELECT release_version FROM system.local").one().getString(0);
        assertTrue(version.startsWith("5.0"), version);
        assertEquals(
            CassandraServer.DATACENTER,
            session.execute("SELECT data_center FROM system.local").one().getString(0));
      }
      assertTrue(ProcessHandle.of(pid).isPresent());
    }

    assertFalse(ProcessHandle.of(pid).isPresent(), "Cassandra JVM " + pid + " still runs");
    assertTrue(Files.readString(log).contains("Cassandra ready"), "launcher output is logged");
    try (var dirs = Files.list(log.getParent())) {
      assertFalse(
          dirs.anyMatch(d -> d.getFileName().toString().startsWith("cassandra-" + port(log) + "-")),
          "data directory deleted");
    }
  }

  @Test
  void theSharedServerIsStartedOnceAndNotClosedByItsUsers() {
    CassandraServer shared = CassandraServer.shared();
    shared.close();

    assertTrue(shared == CassandraServer.shared());
    try (CqlSession session = shared.connect()) {
      assertEquals(1, session.execute("SELECT release_version FROM system.local").all().size());
    }
  }

  private static String port(Path log) {
    return log.getFileName().toString().replaceAll("\\D", "");
  }
}
