package io.tributary.ingest.produce;

import java.util.List;

/**
 * A parsed produce request.
 *
 * @param producerId   idempotent producer id, or null for a plain produce
 * @param producerEpoch with {@code producerId}
 * @param baseSequence with {@code producerId}: record {@code i} of the request has sequence {@code baseSequence + i};
 *                     null when every record carries its own {@code sequence}
 */
public record ProduceRequest(List<IncomingRecord> records, Acks acks, Long producerId, Short producerEpoch,
                             Long baseSequence) {

    public boolean idempotent() {
        return producerId != null;
    }

    /** Records carry their own sequences instead of a base sequence. */
    public boolean perRecordSequences() {
        return idempotent() && baseSequence == null;
    }
}
