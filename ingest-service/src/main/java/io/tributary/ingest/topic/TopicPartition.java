package io.tributary.ingest.topic;

/** A partition of a topic. */
public record TopicPartition(String topic, int partition) implements Comparable<TopicPartition> {

    /** Name of the partition's directory under {@code logs/}. */
    public String dirName() {
        return topic + "-" + partition;
    }

    @Override
    public int compareTo(TopicPartition o) {
        int byTopic = topic.compareTo(o.topic);
        return byTopic != 0 ? byTopic : Integer.compare(partition, o.partition);
    }

    @Override
    public String toString() {
        return dirName();
    }
}
