package dev.shardless.scheduler.port;

import dev.shardless.scheduler.model.FunctionId;
import dev.shardless.scheduler.model.ScalingSpec;
import dev.shardless.scheduler.policy.ScaleReason;

/**
 * Port: what a function's entity reports for metrics (cold starts, autoscaler decisions, the
 * scaling target). The node implements it with Kamon; the scheduler stays free of any metrics
 * library.
 *
 * <p>Every method is called on the entity's actor thread: implementations must return at once,
 * never block and allocate nothing once a function's instruments exist. None is called on the
 * lease/release path.
 */
public interface SchedulerTelemetry {
  /** Records nothing (tests, metrics off). */
  SchedulerTelemetry NONE = function -> FunctionTelemetry.NONE;

  /**
   * The recorder of one function, asked once by each entity incarnation when it starts running;
   * incarnations of the same function may get the same recorder.
   */
  FunctionTelemetry of(FunctionId function);

  /** One function's recorder. */
  interface FunctionTelemetry {
    /** Records nothing. */
    FunctionTelemetry NONE = new FunctionTelemetry() {};

    /** A definition is in force; {@code scaling.target()} is the load per replica it aims at. */
    default void configured(ScalingSpec scaling) {}

    /**
     * The autoscaler evaluated and decided for {@code reason}; {@code changed} when the decision
     * changes the desired replica count (false for holds).
     */
    default void decided(ScaleReason reason, boolean changed) {}

    /**
     * A cold start ended: the function was woken from zero replicas by waiting requests (or async
     * jobs) and its first replica became ready {@code millis} later.
     */
    default void coldStart(long millis) {}
  }
}
