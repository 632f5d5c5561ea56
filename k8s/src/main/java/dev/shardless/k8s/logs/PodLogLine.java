package dev.shardless.k8s.logs;

import java.time.Instant;

/**
 * One line of a function pod's container log.
 *
 * @param pod the pod's name
 * @param timestamp when the container runtime received it (the kubelet's timestamp)
 * @param text the line without its timestamp and newline
 */
public record PodLogLine(String pod, Instant timestamp, String text) {}
