package dev.shardless.invoker.local;

/**
 * What confines one replica's processes, as applied (for logs and, later, {@code FunctionStatus}).
 *
 * @param sandbox {@code bubblewrap} or {@code none}
 * @param memory how {@code limits.memory} is enforced, e.g. {@code cgroup MemoryMax=134217728},
 *     {@code rlimit AS=134217728}, or {@code none} (no limit asked, or none possible here)
 * @param cpu how {@code limits.cpu} is enforced, e.g. {@code cgroup CPUQuota=50%}, or {@code none}
 */
public record Confinement(String sandbox, String memory, String cpu) {
  public static final Confinement NONE = new Confinement("none", "none", "none");

  public boolean sandboxed() {
    return !sandbox.equals("none");
  }
}
