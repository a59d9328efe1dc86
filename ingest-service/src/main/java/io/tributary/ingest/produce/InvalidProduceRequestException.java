package io.tributary.ingest.produce;

/** A produce body that cannot be taken: malformed JSON, wrong types, out-of-range fields. */
public class InvalidProduceRequestException extends RuntimeException {

    public InvalidProduceRequestException(String message) {
        super(message);
    }
}
