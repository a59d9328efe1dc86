package io.tributary.ingest.topic;

/** A topic, or a partition of a topic, that does not exist. */
public class UnknownTopicException extends RuntimeException {

    public UnknownTopicException(String message) {
        super(message);
    }

    public static UnknownTopicException topic(String topic) {
        return new UnknownTopicException("topic " + topic + " does not exist");
    }

    public static UnknownTopicException partition(String topic, int partition, int partitions) {
        return new UnknownTopicException("topic " + topic + " has no partition " + partition + " (it has " + partitions
                + ", numbered from 0)");
    }
}
