package io.tributary.ingest.produce;

/** An {@code Idempotency-Key} sent again with a different body. */
public class IdempotencyKeyReusedException extends RuntimeException {

    public IdempotencyKeyReusedException(String key) {
        super("Idempotency-Key '" + key + "' was already used for a different request body");
    }
}
