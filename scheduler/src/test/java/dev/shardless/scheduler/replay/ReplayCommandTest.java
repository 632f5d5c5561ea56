package dev.shardless.scheduler.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReplayCommandTest {
  @TempDir Path dir;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();

  int run(String... args) {
    return ReplayCommand.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  Path trace() throws IOException {
    return Files.writeString(
        dir.resolve("t.csv"),
        "HashOwner,HashApp,HashFunction,Trigger,1,2,3,4,5,6\n"
            + "o,a,f1,http,1,0,0,1,0,0\n"
            + "o,a,f2,timer,0,2,0,0,0,2\n");
  }

  @Test
  void printsATableAndJsonAsTheLastLine() throws IOException {
    Path run =
        Files.writeString(
            dir.resolve("r.csv"), "HashOwner,HashApp,HashFunction,Average\no,a,f1,100\n");
    assertEquals(
        0,
        run(
            "--trace",
            trace().toString(),
            "--policy",
            "fixed-10m,adaptive",
            "--runtimes",
            run.toString(),
            "--json"));
    String[] lines = out.toString(StandardCharsets.UTF_8).trim().split("\n");
    String json = lines[lines.length - 1];
    assertTrue(json.startsWith("[{\"policy\":\"fixed-10m\",\"invocations\":6,"), json);
    for (String key :
        new String[] {
          "cold_starts",
          "cold_start_pct",
          "median_function_cold_start_pct",
          "p75_function_cold_start_pct",
          "idle_replica_minutes"
        }) {
      assertTrue(json.contains("\"" + key + "\":"), key);
    }
    assertTrue(lines[0].contains("concurrency"), lines[0]);
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("idle/f10m"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          no trace                | --json                       | --trace FILE is required
          unknown option          | --trace TRACE --fast         | unknown argument '--fast'
          missing value           | --trace                      | --trace needs a value
          unreadable trace        | --trace /nonexistent/x.csv   | cannot read '/nonexistent/x.csv'
          unknown policy          | --trace TRACE --policy lru   | unknown policy 'lru'
          bad measure-from        | --trace TRACE --measure-from 0 | --measure-from must be a minute number
          """)
  void usageErrorsExitTwoAndSayWhy(String name, String args, String message) throws IOException {
    String trace = trace().toString();
    assertEquals(2, run(args.replace("TRACE", trace).split(" ")), name);
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.contains(message), e);
    assertTrue(e.contains("usage: shardless replay"), e);
  }

  @Test
  void aMalformedTraceExitsOne() throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.csv"), "HashFunction,1,3\nf,0,0\n");
    assertEquals(1, run("--trace", bad.toString()));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("consecutive"));
  }

  @Test
  void helpPrintsUsage() {
    assertEquals(0, run("--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage:"));
  }
}
