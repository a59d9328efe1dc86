package io.tributary.ingest.log;

/** What a read needs of a stored batch to walk the log: its size and the offset after it. */
public interface StoredBatch {

    int sizeInBytes();

    long nextOffset();
}
