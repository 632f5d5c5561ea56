package dev.shardless.scheduler.policy;

/** What {@link ScalingPolicy} decided, with a countable reason and a human detail for the log. */
public sealed interface ScaleDecision {
  ScaleReason reason();

  String detail();

  /** Set the desired replica count to {@code replicas}. */
  record ScaleTo(int replicas, ScaleReason reason, String detail) implements ScaleDecision {
    public ScaleTo {
      if (replicas < 0) {
        throw new IllegalArgumentException("replicas must be >= 0, was " + replicas);
      }
    }
  }

  /** Keep the current desired count. */
  record Hold(ScaleReason reason, String detail) implements ScaleDecision {}
}
