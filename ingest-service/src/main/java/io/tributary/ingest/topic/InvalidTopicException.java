package io.tributary.ingest.topic;

/** A topic name or topic creation request that breaks the rules. */
public class InvalidTopicException extends RuntimeException {

    public InvalidTopicException(String message) {
        super(message);
    }
}
