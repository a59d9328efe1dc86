package io.tributary.ingest.log;

/** The idempotent-producer identity of a batch: id, epoch and the sequence of its first record. */
public record ProducerBatch(long producerId, short producerEpoch, long baseSequence) {

    public static final ProducerBatch NONE = new ProducerBatch(RecordBatch.NO_PRODUCER_ID, (short) -1,
            RecordBatch.NO_SEQUENCE);

    public boolean isIdempotent() {
        return producerId != RecordBatch.NO_PRODUCER_ID;
    }
}
