/**
 * The Function operator: informers on Functions and their Deployments, one worker that reconciles
 * each Function into a Deployment, a Service, a registry entry ({@link
 * dev.shardless.k8s.operator.RegistrySync}) and a status. Objects and statuses are built by pure
 * functions ({@link dev.shardless.k8s.operator.FunctionObjects}, {@link
 * dev.shardless.k8s.operator.FunctionStatuses}, {@link dev.shardless.k8s.operator.FunctionChecks})
 * and then applied.
 */
package dev.shardless.k8s.operator;
