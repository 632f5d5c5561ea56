package dev.shardless.scheduler.replay;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Generates per-minute traces with patterns other than the shared excerpt's, to check that the
 * keep-alive policies generalise: every parameter is drawn from a seeded {@link Random}.
 */
final class SyntheticTraces {
  enum Pattern {
    /** A timer: every p minutes (5..180), ±1 minute of jitter, some calls skipped. */
    PERIODIC,
    /** Bursts of 1..5 busy minutes, separated by exponential gaps with a mean of 20..240 min. */
    BURSTY,
    /** Memoryless calls at 1 per 2..300 minutes on average. */
    POISSON,
    /** Poisson whose rate follows the day: busy by day, near silent at night. */
    DIURNAL
  }

  private SyntheticTraces() {}

  static int[] generate(Pattern pattern, int minutes, Random random) {
    int[] counts = new int[minutes];
    switch (pattern) {
      case PERIODIC -> {
        int period = 5 + random.nextInt(176);
        for (int m = random.nextInt(period); m < minutes; m += period) {
          int at = m + random.nextInt(3) - 1;
          if (at >= 0 && at < minutes && random.nextDouble() > 0.05) {
            counts[at] += 1 + random.nextInt(3);
          }
        }
      }
      case BURSTY -> {
        double meanGap = 20 + random.nextInt(221);
        int m = (int) exponential(random, meanGap);
        while (m < minutes) {
          int length = 1 + random.nextInt(5);
          for (int i = 0; i < length && m + i < minutes; i++) {
            counts[m + i] += 1 + random.nextInt(20);
          }
          m += length + (int) exponential(random, meanGap);
        }
      }
      case POISSON -> poisson(counts, random, 1.0 / (2 + random.nextInt(299)), false);
      case DIURNAL -> poisson(counts, random, 1.0 / (2 + random.nextInt(60)), true);
    }
    return counts;
  }

  private static void poisson(int[] counts, Random random, double perMinute, boolean diurnal) {
    for (int m = 0; m < counts.length; m++) {
      double rate = perMinute;
      if (diurnal) {
        rate *= Math.max(0.02, 1 + Math.sin(2 * Math.PI * (m % 1440) / 1440.0 - Math.PI / 2));
      }
      double u = random.nextDouble();
      int k = 0;
      double p = Math.exp(-rate);
      double cumulative = p;
      while (u > cumulative && k < 1000) {
        k++;
        p *= rate / k;
        cumulative += p;
      }
      counts[m] = k;
    }
  }

  private static double exponential(Random random, double mean) {
    return -mean * Math.log(1 - random.nextDouble());
  }

  /** Writes {@code perPattern} functions of each pattern as an excerpt-schema CSV file. */
  static Path write(Path file, int perPattern, int minutes, long seed) throws IOException {
    Random random = new Random(seed);
    try (Writer w = Files.newBufferedWriter(file)) {
      w.write("HashFunction,HashApp,HashOwner");
      for (int m = 1; m <= minutes; m++) {
        w.write(",minute_" + m);
      }
      w.write('\n');
      for (Pattern pattern : Pattern.values()) {
        for (int i = 0; i < perPattern; i++) {
          String id = pattern.name().toLowerCase() + i;
          w.write(id + "," + id + "," + id);
          for (int c : generate(pattern, minutes, random)) {
            w.write("," + c);
          }
          w.write('\n');
        }
      }
    }
    return file;
  }
}
