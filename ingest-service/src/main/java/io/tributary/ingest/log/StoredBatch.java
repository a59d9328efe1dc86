package io.tributary.ingest.log;

/** What a reader needs of a stored batch to walk the log and count what it read. */
public interface StoredBatch {

    int sizeInBytes();

    long nextOffset();

    int recordCount();
}
