/**
 * Function logs on Kubernetes: the container logs of a function's pods, read through the API
 * server's {@code pods/log} subresource. {@link dev.shardless.k8s.logs.FunctionPodLogs} is the
 * blocking cursor one {@code GET /system/logs} request uses; {@link
 * dev.shardless.k8s.logs.KubeletLogLines} (parsing) and {@link dev.shardless.k8s.logs.PodLogCursor}
 * (what is new since the last read) are pure.
 */
package dev.shardless.k8s.logs;
