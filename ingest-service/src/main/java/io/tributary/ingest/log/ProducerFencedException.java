package io.tributary.ingest.log;

/** A produce from an older epoch of a producer id that has since been re-initialised. */
public class ProducerFencedException extends RuntimeException {

    public ProducerFencedException(long producerId, short epoch, short currentEpoch) {
        super("producer " + producerId + " epoch " + epoch + " is fenced by epoch " + currentEpoch);
    }
}
