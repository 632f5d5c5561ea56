/**
 * The Kubernetes {@code ReplicaPlatform}: {@link dev.shardless.k8s.platform.KubernetesPlatform}
 * turns a function entity's starts and stops into scale writes on the function's Deployment and
 * reports its Ready pods as replicas. The decisions are the pure {@link
 * dev.shardless.k8s.platform.PodBook}; the rest are thin fabric8 effects.
 */
package dev.shardless.k8s.platform;
