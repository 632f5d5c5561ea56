package dev.shardless.invoker.logs;

import java.time.Instant;

/**
 * One line of a replica's output.
 *
 * @param instance the replica it came from (the log file's name without {@code .log})
 * @param timestamp when the invoker received the line from the process
 * @param text the line without its newline
 */
public record LogLine(String instance, Instant timestamp, String text) {}
