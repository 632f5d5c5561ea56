/**
 * The Kubernetes adapter: the {@code Function} custom resource, the operator that turns it into a
 * Deployment and a Service, and a {@code ReplicaPlatform} whose replicas are Ready pods (issue 6).
 * It implements the scheduler's ports and depends on no other Shardless module; the node selects it
 * with {@code SHARDLESS_PLATFORM=kubernetes}. Until then the module only fixes the fabric8
 * dependency and its place in the build.
 */
package dev.shardless.k8s;
