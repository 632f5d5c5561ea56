package dev.shardless.persistence.async;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** Port: POSTs a job's result to its {@code X-Callback-Url}. The gateway implements it. */
public interface CallbackSender {
  /**
   * One delivery attempt of {@code body} with {@code headers} (already including {@code X-Call-Id},
   * {@code X-Function-Status}, {@code X-Function-Name} and {@code X-Duration-Seconds}) to {@code
   * url}. The stage never fails: a connection error is an outcome with status 0.
   */
  CompletionStage<CallbackOutcome> deliver(String url, List<JobHeader> headers, byte[] body);

  /** The receiver's status (0 when it could not be reached) and a short error, empty when none. */
  record CallbackOutcome(int status, String error) {
    public CallbackOutcome {
      error = error == null ? "" : error;
    }

    /** 2xx. */
    public boolean delivered() {
      return status >= 200 && status < 300;
    }
  }
}
