package io.tributary.ingest.log;

/**
 * The idempotent-producer identity of a batch: id, epoch and the sequence range it covers.
 * Usually {@code lastSequence = baseSequence + records - 1}; a writer that numbers records by
 * their source offsets may cover a wider range than it has records.
 */
public record ProducerBatch(long producerId, short producerEpoch, long baseSequence, long lastSequence) {

    public static final ProducerBatch NONE = new ProducerBatch(RecordBatch.NO_PRODUCER_ID, (short) -1,
            RecordBatch.NO_SEQUENCE, RecordBatch.NO_SEQUENCE);

    /** A batch of {@code count} records numbered from {@code baseSequence}. */
    public static ProducerBatch contiguous(long producerId, short producerEpoch, long baseSequence, int count) {
        return new ProducerBatch(producerId, producerEpoch, baseSequence, baseSequence + count - 1);
    }

    public boolean isIdempotent() {
        return producerId != RecordBatch.NO_PRODUCER_ID;
    }
}
