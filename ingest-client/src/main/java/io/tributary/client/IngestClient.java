package io.tributary.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.tributary.client.internal.Codecs;
import io.tributary.client.internal.FetchAnswerReader;
import io.tributary.client.internal.HttpTransport;
import io.tributary.client.internal.Json;
import io.tributary.client.internal.Resend;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Blocking access to topic administration, offset lookups and single-partition fetches.
 * Every method throws {@link IngestException} (or a subclass) when the service answers with a
 * problem or cannot be reached. Thread-safe.
 *
 * <pre>{@code
 * try (IngestClient client = IngestClient.create(ClientSettings.of("http://localhost:8081"))) {
 *     client.createTopic(new NewTopic("orders", 6, 3));
 * }
 * }</pre>
 */
public final class IngestClient implements AutoCloseable {

    private static final String TOPICS = "/api/v1/topics";

    private final HttpTransport transport;

    private IngestClient(HttpTransport transport) {
        this.transport = transport;
    }

    public static IngestClient create(ClientSettings settings) {
        return new IngestClient(new HttpTransport(settings));
    }

    /** Creates a topic; a {@link ProblemKind#CONFLICT} when it exists already. */
    public TopicDescription createTopic(NewTopic topic) {
        ObjectNode body = Json.MAPPER.createObjectNode()
                .put("name", topic.name())
                .put("partitions", topic.partitions())
                .put("replicationFactor", topic.replicationFactor());
        ObjectNode configs = body.putObject("configs");
        topic.configs().forEach(configs::put);
        return Codecs.topicDescription(transport.send("POST", TOPICS, body.toString()));
    }

    public List<TopicDescription> listTopics() {
        List<TopicDescription> topics = new ArrayList<>();
        for (JsonNode node : transport.send("GET", TOPICS, null).path("topics")) {
            topics.add(Codecs.topicDescription(node));
        }
        return topics;
    }

    /** Describes a topic; a {@link ProblemKind#NOT_FOUND} when it does not exist. */
    public TopicDescription describeTopic(String topic) {
        return Codecs.topicDescription(transport.send("GET", topicPath(topic), null));
    }

    /** Sets the given configs, leaving others unchanged. */
    public void updateTopicConfigs(String topic, Map<String, String> configs) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode values = body.putObject("configs");
        configs.forEach(values::put);
        // Setting the same values twice changes nothing: may go to another node after any failure.
        transport.send("PATCH", topicPath(topic) + "/configs", body.toString(), Resend.ANY_FAILURE);
    }

    public void deleteTopic(String topic) {
        transport.send("DELETE", topicPath(topic), null);
    }

    /**
     * The offsets a consumer group has committed, by partition: the next offset to consume (Kafka semantics). Partitions
     * never committed are absent; a {@link ProblemKind#NOT_FOUND} when the group does not exist.
     */
    public Map<TopicPartition, Long> committedOffsets(String group) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (JsonNode node : transport.send("GET", "/api/v1/groups/" + HttpTransport.segment(group), null)
                .path("offsets")) {
            offsets.put(new TopicPartition(node.path("topic").asString(), node.path("partition").asInt()),
                    node.path("committedOffset").asLong());
        }
        return offsets;
    }

    /** Looks up the earliest, latest or first-after-timestamp offset of a partition. */
    public PartitionOffset offsetFor(TopicPartition partition, OffsetSpec spec) {
        JsonNode node = transport.send("GET", partitionPath(partition) + "/offsets?at=" + spec.query(), null);
        return new PartitionOffset(Json.intOr(node, "partition", partition.partition()),
                Json.longOr(node, "offset", -1), Json.longOr(node, "timestamp", -1));
    }

    /**
     * Reads records of one partition starting at {@code offset}, waiting up to
     * {@link FetchOptions#maxWait()} when there are none yet.
     *
     * @throws OffsetOutOfRangeException when the offset is outside the log
     */
    public FetchResult fetch(TopicPartition partition, long offset, FetchOptions options) {
        String query = "?offset=" + offset + "&maxRecords=" + options.maxRecords()
                + "&maxBytes=" + options.maxBytes() + "&maxWaitMs=" + options.maxWait().toMillis();
        JsonNode node = HttpTransport.await(transport.sendAsync("GET", partitionPath(partition) + "/records" + query,
                null, Map.of(), options.maxWait()));
        List<ConsumedRecord> records = new ArrayList<>();
        for (JsonNode record : node.path("records")) {
            records.add(Codecs.consumedRecord(record, partition.topic()));
        }
        return new FetchResult(records, Json.longOr(node, "nextOffset", offset), Json.longOr(node, "highWatermark", -1));
    }

    /**
     * Fetches like {@link #fetch} without blocking, and without building a tree per record: each
     * value goes through {@code reader} straight from the answer's bytes, on the HTTP client's
     * thread, so fetches of several partitions are read in parallel. For consumers that need only
     * a few fields of each value.
     *
     * @return completes with the values, or exceptionally with an {@link IngestException}
     *         ({@link OffsetOutOfRangeException} when the offset is outside the log)
     */
    public <T> CompletableFuture<ValueFetch<T>> fetchValuesAsync(TopicPartition partition, long offset,
                                                                 FetchOptions options, ValueReader<T> reader) {
        String query = "?offset=" + offset + "&maxRecords=" + options.maxRecords()
                + "&maxBytes=" + options.maxBytes() + "&maxWaitMs=" + options.maxWait().toMillis();
        return transport.sendForBytesAsync("GET", partitionPath(partition) + "/records" + query, options.maxWait(),
                body -> FetchAnswerReader.read(body, offset, reader));
    }

    /**
     * Registers a producer identity. Without a name every call returns a fresh id; with a name
     * the id stays the same and the epoch goes up, fencing earlier holders of that name.
     */
    public ProducerIdentity initProducer(String stableName) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (stableName != null) {
            body.put("name", stableName);
        }
        // A second registration after a refusal only costs an id (or an epoch of a named producer).
        JsonNode node = transport.send("POST", "/api/v1/producers", body.toString(), Resend.REFUSED);
        return new ProducerIdentity(node.path("producerId").asLong(), node.path("producerEpoch").asInt());
    }

    /**
     * The last sequence the producer wrote to each partition of a topic, by partition;
     * {@code -1} where it wrote nothing the service remembers. A writer that numbers records by
     * their source offsets asks this after taking over and skips what is already there.
     */
    public Map<Integer, Long> lastSequences(long producerId, String topic) {
        JsonNode node = transport.send("GET", "/api/v1/producers/" + producerId + "/sequences?topic="
                + HttpTransport.segment(topic), null);
        Map<Integer, Long> sequences = new java.util.TreeMap<>();
        for (JsonNode partition : node.path("partitions")) {
            sequences.put(Json.intOr(partition, "partition", -1), Json.longOr(partition, "lastSequence", -1));
        }
        return sequences;
    }

    /** Nothing to release today beyond the HTTP client, which the JDK frees when unreachable. */
    @Override
    public void close() {
    }

    private static String topicPath(String topic) {
        return TOPICS + "/" + HttpTransport.segment(topic);
    }

    private static String partitionPath(TopicPartition partition) {
        return topicPath(partition.topic()) + "/partitions/" + partition.partition();
    }
}
