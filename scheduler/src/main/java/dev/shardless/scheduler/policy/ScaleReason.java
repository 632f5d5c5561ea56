package dev.shardless.scheduler.policy;

/** Why {@link ScalingPolicy} decided what it did: a small fixed set, so that it can be counted. */
public enum ScaleReason {
  /** min == max: the count is pinned and only {@code scale-function} changes it. */
  PINNED,
  /** At zero with nothing waiting: nothing to do. */
  IDLE_AT_ZERO,
  /** At zero with requests waiting: enough replicas for all of them at once. */
  BURST_FROM_ZERO,
  /** No invocation started for the idle time, nothing in flight, buffered or pending. */
  IDLE_TO_ZERO,
  /** Panic mode: the short window asks for at least panic-threshold × the ready replicas. */
  PANIC,
  /** Panic mode holds the count: never scale down while panicking. */
  PANIC_HOLD,
  /** The windowed load asks for more replicas. */
  LOAD_UP,
  /** The stable load asks for fewer, and no recommendation in the down-window asks for more. */
  LOAD_DOWN,
  /** The stable load asks for fewer, but a recent recommendation in the down-window holds it. */
  DOWN_WINDOW,
  /** The load asks for exactly the current count. */
  STEADY
}
