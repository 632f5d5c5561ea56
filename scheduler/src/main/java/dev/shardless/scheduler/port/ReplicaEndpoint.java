package dev.shardless.scheduler.port;

import dev.shardless.scheduler.CborSerializable;

/** Where a ready replica serves HTTP. */
public record ReplicaEndpoint(String host, int port) implements CborSerializable {}
