package dev.shardless.scheduler.model;

import dev.shardless.scheduler.CborSerializable;
import java.time.Instant;

/**
 * A deployed function as the registry keeps it.
 *
 * @param version increases with every deploy or update of this function (1 for the first deploy);
 *     the entity ignores a configuration older than the one it runs
 * @param createdAt when the function was first deployed (reported as {@code createdAt})
 */
public record FunctionRecord(FunctionSpec spec, long version, Instant createdAt)
    implements CborSerializable {}
