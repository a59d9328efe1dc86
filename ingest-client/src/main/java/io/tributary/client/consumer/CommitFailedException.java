package io.tributary.client.consumer;

import io.tributary.client.IngestException;

/**
 * The group refused (part of) a commit: the group rebalanced and some of the partitions belong to
 * another member now, or this member had expired (and has rejoined). The offsets of the partitions
 * the member still owns are committed; the uncommitted records of the others will be delivered
 * again to their new owner. The consumer has already refreshed its assignment when this is thrown.
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
