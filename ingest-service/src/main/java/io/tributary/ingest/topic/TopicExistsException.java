package io.tributary.ingest.topic;

public class TopicExistsException extends RuntimeException {

    public TopicExistsException(String topic) {
        super("topic " + topic + " already exists");
    }
}
