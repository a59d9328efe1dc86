package io.tributary.ingest.log;

/**
 * The idempotent-producer identity of a batch: id, epoch and the sequence range it covers.
 * Usually {@code lastSequence = baseSequence + records - 1}; a writer that numbers records by
 * their source offsets may cover a wider range than it has records.
 */
public record ProducerBatch(long producerId, short producerEpoch, long baseSequence, long lastSequence,
                            boolean contiguous) {

    /** Under the log's own sequence rules (gaps allowed). */
    public ProducerBatch(long producerId, short producerEpoch, long baseSequence, long lastSequence) {
        this(producerId, producerEpoch, baseSequence, lastSequence, false);
    }

    /**
     * A batch of a producer that follows Kafka's rules (contiguous sequences, 32-bit, wrapping):
     * stored with {@link RecordBatch#CONTIGUOUS_SEQUENCES} and judged by them.
     */
    public static ProducerBatch kafka(long producerId, short producerEpoch, int baseSequence, int records) {
        return new ProducerBatch(producerId, producerEpoch, baseSequence, (long) baseSequence + records - 1, true);
    }

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
                : new ProducerBatch(producerId, producerEpoch, baseSequence, baseSequence + records - 1, contiguous);
    }

    public boolean isIdempotent() {
        return producerId != RecordBatch.NO_PRODUCER_ID;
    }
}
