package dev.shardless.scheduler;

/**
 * Marker for every message that crosses the network and every event that is persisted. It is bound
 * to Pekko's Jackson CBOR serializer in {@code reference.conf}; Java serialization is never used.
 */
public interface CborSerializable {}
