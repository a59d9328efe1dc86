package io.tributary.ingest.log;

/**
 * Where a batch's records landed: record {@code i} has offset {@code baseOffset + i} and
 * timestamp {@code timestamps[i]}. {@code duplicate} is true when the batch was a retry of one
 * already written; the offsets are then the original ones.
 */
public record AppendResult(long baseOffset, long[] timestamps, boolean duplicate) {

    public int count() {
        return timestamps.length;
    }
}
