package io.tributary.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.tributary.client.FakeIngestServer.Reply;
import tools.jackson.databind.JsonNode;

class IngestClientTest {

    private static final Map<String, Object> ORDERS = Map.of(
            "name", "orders", "topicId", "Xh2xEn1iQ3i2cB4Rh5xw2A", "partitions", 2, "replicationFactor", 3,
            "configs", Map.of("retention.ms", "60000"),
            "partitionDetails", List.of(Map.of("partition", 0, "leader", 1, "replicas", List.of(1, 2, 3),
                    "inSyncReplicas", List.of(1, 2), "logStartOffset", 4, "highWatermark", 10, "logEndOffset", 11)));

    private FakeIngestServer server;
    private IngestClient client;

    @BeforeEach
    void start() {
        server = FakeIngestServer.start();
        client = IngestClient.create(ClientSettings.of(server.baseUrl() + "/")
                .withExtraHeaders(() -> Map.of("X-Api-Key", "secret")));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void shouldCreateATopicAndReadItsDescription() {
        server.on("POST", "/api/v1/topics", r -> Reply.json(201, ORDERS));

        TopicDescription created = client.createTopic(new NewTopic("orders", 2, 3, Map.of("retention.ms", "60000")));

        JsonNode body = server.requests("POST", "/api/v1/topics").get(0).json();
        assertThat(body.path("name").asString()).isEqualTo("orders");
        assertThat(body.path("partitions").asInt()).isEqualTo(2);
        assertThat(body.path("replicationFactor").asInt()).isEqualTo(3);
        assertThat(body.path("configs").path("retention.ms").asString()).isEqualTo("60000");
        assertThat(server.requests("POST", "/api/v1/topics").get(0).header("X-Api-Key")).isEqualTo("secret");
        assertThat(created.partitions()).isEqualTo(2);
        assertThat(created.topicId()).isEqualTo("Xh2xEn1iQ3i2cB4Rh5xw2A");
        assertThat(created.configs()).containsEntry("retention.ms", "60000");
        PartitionDetails p0 = created.partitionDetails().get(0);
        assertThat(p0).isEqualTo(new PartitionDetails(0, "1", List.of("1", "2", "3"), List.of("1", "2"), 4, 10, 11));
    }

    @Test
    void shouldRaiseAConflictWhenTheTopicExists() {
        server.on("POST", "/api/v1/topics", r -> Reply.problem(409, "topic-exists", "orders exists", false));

        assertThatThrownBy(() -> client.createTopic(new NewTopic("orders", 1, 1)))
                .isInstanceOfSatisfying(IngestException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProblemKind.CONFLICT);
                    assertThat(e.detail()).isEqualTo("orders exists");
                });
    }

    @Test
    void shouldListDescribeUpdateAndDeleteTopics() {
        server.on("GET", "/api/v1/topics", r -> Reply.ok(Map.of("topics", List.of(ORDERS))));
        server.on("GET", "/api/v1/topics/missing", r -> Reply.problem(404, "topic-not-found", "no such topic", false));
        server.on("PATCH", "/api/v1/topics/orders/configs", r -> Reply.ok(ORDERS));
        server.on("DELETE", "/api/v1/topics/orders", r -> Reply.noContent());

        assertThat(client.listTopics()).extracting(TopicDescription::name).containsExactly("orders");
        assertThatThrownBy(() -> client.describeTopic("missing"))
                .isInstanceOfSatisfying(IngestException.class, e -> assertThat(e.kind()).isEqualTo(ProblemKind.NOT_FOUND));
        client.updateTopicConfigs("orders", Map.of("retention.ms", "1000"));
        client.deleteTopic("orders");

        assertThat(server.requests("PATCH", "/api/v1/topics/orders/configs").get(0).json()
                .path("configs").path("retention.ms").asString()).isEqualTo("1000");
        assertThat(server.requests("DELETE", "/api/v1/topics/orders")).hasSize(1);
    }

    @Test
    void shouldLookUpOffsetsByTimestamp() {
        server.on("GET", "/api/v1/topics/orders/partitions/1/offsets",
                r -> Reply.ok(Map.of("partition", 1, "offset", 17, "timestamp", 5000)));

        PartitionOffset offset = client.offsetFor(new TopicPartition("orders", 1),
                OffsetSpec.at(java.time.Instant.ofEpochMilli(5000)));

        assertThat(offset).isEqualTo(new PartitionOffset(1, 17, 5000));
        assertThat(server.requests("GET", "/api/v1/topics/orders/partitions/1/offsets").get(0).query())
                .containsEntry("at", "5000");
    }

    @Test
    void shouldFetchRecordsOfAPartition() {
        server.on("GET", "/api/v1/topics/orders/partitions/0/records", r -> Reply.ok(Map.of(
                "records", List.of(Map.of("partition", 0, "offset", 4, "timestamp", 99, "key", "k",
                        "value", Map.of("id", 1), "headers", Map.of("h", "v"))),
                "nextOffset", 5, "highWatermark", 9)));

        FetchResult result = client.fetch(new TopicPartition("orders", 0), 4,
                FetchOptions.defaults().withMaxRecords(10).withMaxWait(Duration.ofMillis(100)));

        assertThat(result.nextOffset()).isEqualTo(5);
        assertThat(result.highWatermark()).isEqualTo(9);
        ConsumedRecord record = result.records().get(0);
        assertThat(record.topic()).isEqualTo("orders");
        assertThat(record.offset()).isEqualTo(4);
        assertThat(record.value().path("id").asInt()).isEqualTo(1);
        assertThat(record.headers()).containsEntry("h", "v");
        assertThat(server.requests("GET", "/api/v1/topics/orders/partitions/0/records").get(0).query())
                .containsEntry("offset", "4").containsEntry("maxRecords", "10").containsEntry("maxWaitMs", "100");
    }

    @Test
    void shouldFetchValuesThroughAReaderWithoutTheirEnvelope() throws Exception {
        server.on("GET", "/api/v1/topics/orders/partitions/2/records", r -> Reply.json(200, Map.of(
                "highWatermark", 12,
                "records", List.of(
                        Map.of("headers", Map.of("h", "v"), "value", Map.of("id", 7, "tags", List.of("a", "b")),
                                "offset", 9, "key", "k1", "partition", 2, "timestamp", 1),
                        Map.of("partition", 2, "offset", 10, "timestamp", 2, "key", "k2", "value", "plain"),
                        java.util.Collections.singletonMap("offset", 11)),
                "nextOffset", 12)));
        ValueReader<String> reader = value -> {
            String text = value.currentToken().isStructStart() ? "struct" : value.getString();
            value.skipChildren();
            return text;
        };

        ValueFetch<String> fetched = client.fetchValuesAsync(new TopicPartition("orders", 2), 9,
                FetchOptions.defaults().withMaxRecords(3), reader).get();

        assertThat(fetched.values()).containsExactly("struct", "plain", null);
        assertThat(fetched.offsets()).containsExactly(9, 10, 11);
        assertThat(fetched.nextOffset()).isEqualTo(12);
        assertThat(fetched.highWatermark()).isEqualTo(12);
        assertThat(server.requests("GET", "/api/v1/topics/orders/partitions/2/records").get(0).query())
                .containsEntry("offset", "9").containsEntry("maxRecords", "3");
    }

    @Test
    void shouldFailAValueFetchOutsideTheLogWithTheLogBounds() {
        server.on("GET", "/api/v1/topics/orders/partitions/0/records", r -> Reply.problem(416,
                "offset-out-of-range", "offset 2 is before the log start", false,
                "logStartOffset", 3, "logEndOffset", 8));

        assertThatThrownBy(() -> client.fetchValuesAsync(new TopicPartition("orders", 0), 2, FetchOptions.defaults(),
                value -> value.skipChildren()).join())
                .hasCauseInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void shouldRaiseOffsetOutOfRangeWithTheLogBounds() {
        server.on("GET", "/api/v1/topics/orders/partitions/0/records", r -> Reply.problem(416,
                "offset-out-of-range", "offset 2 is before the log start", false,
                "logStartOffset", 3, "logEndOffset", 8));

        assertThatThrownBy(() -> client.fetch(new TopicPartition("orders", 0), 2, FetchOptions.defaults()))
                .isInstanceOfSatisfying(OffsetOutOfRangeException.class, e -> {
                    assertThat(e.logStartOffset()).isEqualTo(3);
                    assertThat(e.logEndOffset()).isEqualTo(8);
                    assertThat(e.detail()).isEqualTo("offset 2 is before the log start");
                });
    }

    @Test
    void shouldReportAnUnreachableServiceAsARetriableNetworkFailure() {
        IngestClient unreachable = IngestClient.create(ClientSettings.of("http://127.0.0.1:1"));

        assertThatThrownBy(() -> unreachable.describeTopic("orders"))
                .isInstanceOfSatisfying(IngestException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProblemKind.NETWORK);
                    assertThat(e.retriable()).isTrue();
                });
    }

    @Test
    void shouldRegisterAProducerIdentity() {
        server.on("POST", "/api/v1/producers", r -> Reply.ok(Map.of("producerId", 12, "producerEpoch", 4)));

        assertThat(client.initProducer("cleaner")).isEqualTo(new ProducerIdentity(12, 4));
        assertThat(server.requests("POST", "/api/v1/producers").get(0).json().path("name").asString())
                .isEqualTo("cleaner");
    }

    @Test
    void shouldLookUpTheLastSequencesOfAProducerPerPartition() {
        server.on("GET", "/api/v1/producers/12/sequences", r -> Reply.ok(Map.of("producerId", 12, "topic", "clean.orders",
                "partitions", java.util.List.of(Map.of("partition", 0, "lastSequence", 41),
                        Map.of("partition", 1, "lastSequence", -1)))));

        assertThat(client.lastSequences(12, "clean.orders")).containsExactly(Map.entry(0, 41L), Map.entry(1, -1L));
        assertThat(server.requests("GET", "/api/v1/producers/12/sequences").get(0).query())
                .containsEntry("topic", "clean.orders");
    }
}
