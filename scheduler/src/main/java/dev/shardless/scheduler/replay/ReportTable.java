package dev.shardless.scheduler.replay;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Formats replay results as a text table and as one line of JSON. */
final class ReportTable {
  private ReportTable() {}

  static String format(
      List<PolicyReport> reports, boolean concurrency, int measureFrom, int firstMinute) {
    StringBuilder b = new StringBuilder();
    long functions = reports.isEmpty() ? 0 : reports.get(0).functions();
    b.append(
        String.format(
            Locale.ROOT,
            "replay: %d functions, %s model, %s; first busy minute of each function excluded%n",
            functions,
            concurrency ? "concurrency (run times)" : "single-instance",
            measureFrom > firstMinute
                ? "measured from minute " + measureFrom
                : "measured from minute " + firstMinute));
    b.append(
        String.format(
            Locale.ROOT,
            "%-14s %12s %10s %9s %12s %12s %14s %10s%n",
            "policy",
            "invocations",
            "cold",
            "cold %",
            "median fn %",
            "p75 fn %",
            "idle rep-min",
            "idle/f10m"));
    for (PolicyReport r : reports) {
      b.append(
          String.format(
              Locale.ROOT,
              "%-14s %12d %10d %9.4f %12.3f %12.3f %14d %9.1f%%%n",
              r.policy(),
              r.invocations(),
              r.coldStarts(),
              r.coldStartPct(),
              r.medianFunctionColdStartPct(),
              r.p75FunctionColdStartPct(),
              r.idleReplicaMinutes(),
              r.idleVsFixed10mPct()));
    }
    return b.toString();
  }

  static String json(List<PolicyReport> reports) {
    return reports.stream().map(PolicyReport::toJson).collect(Collectors.joining(",", "[", "]"));
  }
}
