package dev.shardless.k8s.logs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How far one pod's log has been read: the time of the last line delivered and how many lines with
 * exactly that time were delivered. Reads ask for the lines since that time (rounded down to the
 * second, {@link KubeletLogLines#sinceTime}), so they repeat what was delivered; {@link #advance}
 * keeps only what is new. Example: delivered a@1.2, b@1.5; the next read returns a@1.2, b@1.5,
 * c@1.5, d@2.0 → new: c, d (the second line at 1.5 is new: one was delivered at 1.5). Lines before
 * {@code from} (the request's {@code since}) are never delivered.
 *
 * <p>Pure and not thread-safe: one per pod per request.
 */
public final class PodLogCursor {
  private Instant last;
  private int atLast;

  /**
   * @param from lines before this are dropped; null: from the log's start
   */
  public PodLogCursor(Instant from) {
    this.last = from;
  }

  /** The time to read from (null: the whole log). */
  public Instant position() {
    return last;
  }

  /** The lines of {@code read} (one pod's, in log order) not delivered yet; moves past them. */
  public List<PodLogLine> advance(List<PodLogLine> read) {
    List<PodLogLine> fresh = new ArrayList<>();
    int skipAtLast = atLast;
    for (PodLogLine l : read) {
      if (last != null && l.timestamp().isBefore(last)) {
        continue;
      }
      if (last != null && l.timestamp().equals(last) && skipAtLast > 0) {
        skipAtLast--;
        continue;
      }
      fresh.add(l);
      if (l.timestamp().equals(last)) {
        atLast++;
      } else {
        last = l.timestamp();
        atLast = 1;
      }
    }
    return fresh;
  }
}
