/**
 * The {@code Function} custom resource ({@code shardless.dev/v1}): its fabric8 model, the pure
 * mapping to and from the scheduler's {@code FunctionSpec}, and {@link
 * dev.shardless.k8s.crd.FunctionResources}, through which the REST API writes Functions in
 * Kubernetes mode.
 */
package dev.shardless.k8s.crd;
