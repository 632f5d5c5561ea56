package dev.shardless.scheduler.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceReaderTest {
  @TempDir Path dir;

  Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void readsTheOriginalSchemaWithAWindowOfBareMinuteNumbers() throws IOException {
    Path f =
        write(
            "orig.csv",
            """
            HashOwner,HashApp,HashFunction,Trigger,480,481,482
            o1,a1,f1,http,0,3,1
            o1,a1,f2,timer,,0,2
            """);
    try (TraceReader r = TraceReader.open(f)) {
      assertEquals(480, r.firstMinute());
      assertEquals(3, r.minutes());
      FunctionTrace one = r.next();
      assertEquals("o1/a1/f1", one.key());
      assertArrayEquals(new int[] {0, 3, 1}, one.counts());
      assertEquals(480, one.firstMinute());
      assertArrayEquals(new int[] {0, 0, 2}, r.next().counts(), "an empty cell is 0");
      assertNull(r.next());
    }
  }

  @Test
  void readsTheExcerptSchema() throws IOException {
    Path f =
        write(
            "excerpt.csv",
            "HashFunction,HashApp,HashOwner,minute_1,minute_2\nf1,a1,o1,5,0\n\nf2,a2,o2,0,1\n");
    try (TraceReader r = TraceReader.open(f)) {
      assertEquals(1, r.firstMinute());
      FunctionTrace one = r.next();
      assertEquals("o1/a1/f1", one.key(), "same key whatever the column order");
      assertEquals(5, one.invocations());
      assertEquals("o2/a2/f2", r.next().key(), "blank lines are skipped");
      assertNull(r.next());
    }
  }

  @Test
  void rejectsNonConsecutiveMinuteColumns() throws IOException {
    Path f = write("gap.csv", "HashFunction,1,2,4\nf,0,0,0\n");
    TraceFormatException e = assertThrows(TraceFormatException.class, () -> TraceReader.open(f));
    assertTrue(e.getMessage().contains("consecutive"), e.getMessage());
  }

  @Test
  void rejectsAHeaderWithoutMinutesOrFunction() throws IOException {
    Path noMinutes = write("a.csv", "HashFunction,HashApp\nf,a\n");
    assertThrows(TraceFormatException.class, () -> TraceReader.open(noMinutes));
    Path noFunction = write("b.csv", "HashApp,1,2\na,0,0\n");
    TraceFormatException e =
        assertThrows(TraceFormatException.class, () -> TraceReader.open(noFunction));
    assertTrue(e.getMessage().contains("HashFunction"), e.getMessage());
  }

  @Test
  void badCellsNameTheLineAndColumn() throws IOException {
    Path f = write("bad.csv", "HashFunction,minute_1,minute_2\nf,1,x\n");
    try (TraceReader r = TraceReader.open(f)) {
      TraceFormatException e = assertThrows(TraceFormatException.class, r::next);
      assertTrue(e.getMessage().contains(":2: column minute_2"), e.getMessage());
    }
    Path shortRow = write("short.csv", "HashFunction,minute_1,minute_2\nf,1\n");
    try (TraceReader r = TraceReader.open(shortRow)) {
      assertThrows(TraceFormatException.class, r::next);
    }
  }

  @Test
  void readsRunTimesJoinedOnTheSameKey() throws IOException {
    Path f =
        write(
            "run.csv", "HashFunction,HashApp,HashOwner,Count,Average,Minimum\nf1,a1,o1,3,1500,2\n");
    RuntimeTable t = RuntimeTable.read(f);
    assertEquals(1500, t.averageMillis("o1/a1/f1"));
    assertEquals(-1, t.averageMillis("o9/a9/f9"));
    Path bad = write("bad.csv", "HashFunction,Count\nf1,3\n");
    assertThrows(TraceFormatException.class, () -> RuntimeTable.read(bad));
  }
}
