package io.tributary.ingest.log;

/**
 * The idempotent-producer identity of a batch: id, epoch and the sequence range it covers.
 * Usually {@code lastSequence = baseSequence + records - 1}; a writer that numbers records by
 * their source offsets may cover a wider range than it has records.
 */
public record ProducerBatch(long producerId, short producerEpoch, long baseSequence, long lastSequence) {

    public static final ProducerBatch NONE = new ProducerBatch(RecordBatch.NO_PRODUCER_ID, (short) -1,
            RecordBatch.NO_SEQUENCE, RecordBatch.NO_SEQUENCE);

    /** Marks a range that ends where the records do: {@code baseSequence + records - 1}. */
    public static final long CONTIGUOUS = Long.MIN_VALUE;

    /** A batch whose records are numbered {@code baseSequence, baseSequence + 1, ...}. */
    public static ProducerBatch startingAt(long producerId, short producerEpoch, long baseSequence) {
        return new ProducerBatch(producerId, producerEpoch, baseSequence, CONTIGUOUS);
    }

    /** The explicit range for a batch of {@code records} records. */
    ProducerBatch resolve(int records) {
        return lastSequence != CONTIGUOUS ? this
                : new ProducerBatch(producerId, producerEpoch, baseSequence, baseSequence + records - 1);
    }

    public boolean isIdempotent() {
        return producerId != RecordBatch.NO_PRODUCER_ID;
    }
}
