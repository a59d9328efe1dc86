package io.tributary.client.consumer;

import io.tributary.client.IngestException;

/**
 * The group refused a commit because this member's generation is stale or it no longer owns
 * a partition. The uncommitted records will be delivered again to the partition's owner. The
 * consumer has already refreshed its assignment when this is thrown.
 */
public class CommitFailedException extends RuntimeException {

    public CommitFailedException(String message, IngestException cause) {
        super(message, cause);
    }

    @Override
    public synchronized IngestException getCause() {
        return (IngestException) super.getCause();
    }
}
