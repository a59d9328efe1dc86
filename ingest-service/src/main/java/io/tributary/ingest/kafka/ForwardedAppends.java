package io.tributary.ingest.kafka;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * What the replication listener ({@link ReplicaListener}) hands a produced batch to when a peer forwards it
 * ({@link ForwardedAppend}).
 */
public interface ForwardedAppends {

    /**
     * Appends one forwarded part of {@code topic}'s {@code partition}: its apply reply's bytes, or failed with
     * (or throwing) the problem that refused it.
     */
    CompletableFuture<ByteBuffer> append(String topic, int partition, byte[] part);
}
