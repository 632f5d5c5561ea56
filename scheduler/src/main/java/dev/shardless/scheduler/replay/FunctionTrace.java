package dev.shardless.scheduler.replay;

/**
 * One row of an invocation trace: a function and its invocations per minute.
 *
 * @param key the function's identity, {@code owner/app/function} with the hashes present in the
 *     file (used to join the run-time statistics)
 * @param firstMinute the trace's minute number of {@code counts[0]} (1 for {@code minute_1})
 * @param counts invocations started in each minute, >= 0
 */
public record FunctionTrace(String key, int firstMinute, int[] counts) {

  /** Total invocations. */
  public long invocations() {
    long sum = 0;
    for (int c : counts) {
      sum += c;
    }
    return sum;
  }
}
