package dev.shardless.persistence.async;

import dev.shardless.scheduler.model.FunctionId;
import org.apache.pekko.actor.typed.ActorRef;

/** A {@link BacklogReporter} that tells an observer every report. */
record RecordingBacklog(ActorRef<RecordingBacklog.Report> observer) implements BacklogReporter {
  /** One report. */
  record Report(FunctionId function, int pending) {}

  @Override
  public void backlog(FunctionId function, int pending) {
    observer.tell(new Report(function, pending));
  }
}
