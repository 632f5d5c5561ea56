package dev.shardless.persistence.async;

import dev.shardless.persistence.async.JobView.CallbackState;
import dev.shardless.scheduler.CborSerializable;

/**
 * The delivery of a job's result to its {@code X-Callback-Url}. PENDING from acceptance; it is due
 * once the job has finished (not when cancelled), at {@code nextAtMillis} after a failed delivery.
 *
 * @param url where to POST the result
 * @param state PENDING, DELIVERED, or FAILED (given up, with the reason in {@code lastError})
 * @param attempts delivery attempts that got an answer so far
 * @param lastStatus the receiver's last status, 0 when unreachable or not tried yet
 * @param lastError the last error, empty when none
 * @param nextAtMillis when the next delivery is due after a failure; 0 means as soon as the job
 *     ends
 */
public record StoredCallback(
    String url,
    CallbackState state,
    int attempts,
    int lastStatus,
    String lastError,
    long nextAtMillis)
    implements CborSerializable {

  public StoredCallback {
    lastError = lastError == null ? "" : lastError;
  }

  static StoredCallback pending(String url) {
    return new StoredCallback(url, CallbackState.PENDING, 0, 0, "", 0);
  }

  StoredCallback delivered(int attempt, int status) {
    return new StoredCallback(url, CallbackState.DELIVERED, attempt, status, "", 0);
  }

  /** A failed delivery: due again at {@code retryAtMillis}, or given up when that is 0. */
  StoredCallback failed(int attempt, int status, String error, long retryAtMillis) {
    CallbackState next = retryAtMillis > 0 ? CallbackState.PENDING : CallbackState.FAILED;
    return new StoredCallback(url, next, attempt, status, error, retryAtMillis);
  }

  JobView.CallbackView view() {
    return new JobView.CallbackView(url, state, attempts, lastStatus, lastError);
  }
}
