/**
 * The Kubernetes adapter: the {@code Function} custom resource, the operator that turns it into a
 * Deployment and a Service, and a {@code ReplicaPlatform} whose replicas are Ready pods. It
 * implements the scheduler's ports and depends on no other Shardless module; the node selects it
 * with {@code SHARDLESS_PLATFORM=kubernetes} (docs/kubernetes.md).
 */
package dev.shardless.k8s;
