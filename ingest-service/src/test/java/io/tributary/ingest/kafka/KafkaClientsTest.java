package io.tributary.ingest.kafka;

import java.io.DataInputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import io.tributary.ingest.testing.LocalResources;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Kafka's own, unmodified clients against the listener of one node: Admin creates and describes
 * topics and lists offsets, an idempotent {@code acks=all} KafkaProducer writes, a KafkaConsumer
 * reads back; the same records are seen over REST, and the reverse. The oracle is what the
 * producer was acknowledged with.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaClientsTest {

    private static final int KAFKA_PORT = LocalResources.freePort();
    private static final Path DATA = LocalResources.tempDir("ingest-kafka-");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("ingest.data-dir", DATA::toString);
        registry.add("ingest.kafka.port", () -> KAFKA_PORT);
        registry.add("ingest.kafka.advertised-host", () -> "127.0.0.1");
        registry.add("ingest.kafka.group-initial-rebalance-delay", () -> "200ms");
    }

    @LocalServerPort
    int httpPort;

    private Admin admin;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void connect() {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()));
    }

    @AfterAll
    void close() {
        admin.close();
    }

    @Test
    void producedOverKafkaIsReadOverKafkaAndRestAtTheAcknowledgedOffsets() throws Exception {
        admin.createTopics(List.of(json(new NewTopic("k-orders", 3, (short) 1)))).all().get();
        TopicDescription described = admin.describeTopics(List.of("k-orders")).allTopicNames().get().get("k-orders");
        assertThat(described.partitions()).hasSize(3);
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("k-orders", 3, (short) 1))).all().get())
                .hasCauseInstanceOf(TopicExistsException.class);

        int n = 2000;
        Map<String, RecordMetadata> acked = new HashMap<>();
        try (KafkaProducer<String, String> producer = producer()) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sent.add(producer.send(new ProducerRecord<>("k-orders", "k" + (i % 17), "{\"n\":" + i + "}")));
            }
            for (int i = 0; i < n; i++) {
                acked.put("{\"n\":" + i + "}", sent.get(i).get());
            }
        }
        // Every record where it was acknowledged, once; partitions read in offset order.
        Map<String, ConsumerRecord<String, String>> read = consumeAll("k-orders", 3, n);
        assertThat(read).hasSize(n);
        for (Map.Entry<String, RecordMetadata> e : acked.entrySet()) {
            ConsumerRecord<String, String> r = read.get(e.getKey());
            assertThat(r).as(e.getKey()).isNotNull();
            assertThat(r.partition()).isEqualTo(e.getValue().partition());
            assertThat(r.offset()).isEqualTo(e.getValue().offset());
        }
        // The same records over REST: same offsets, same values, same keys.
        for (int p = 0; p < 3; p++) {
            for (JsonNode rec : restRecords("k-orders", p)) {
                String value = JSON.writeValueAsString(rec.path("value"));
                RecordMetadata m = acked.get(value);
                assertThat(m).as(value).isNotNull();
                assertThat(m.partition()).isEqualTo(p);
                assertThat(rec.path("offset").asLong()).isEqualTo(m.offset());
                assertThat(rec.path("key").asString()).isEqualTo(read.get(value).key());
            }
        }
        long restCount = 0;
        for (int p = 0; p < 3; p++) {
            restCount += restRecords("k-orders", p).size();
        }
        assertThat(restCount).isEqualTo(n);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void compressedBatchesAreStoredReadableForKafkaAndRest(String codec) throws Exception {
        String topic = "k-" + codec;
        admin.createTopics(List.of(json(new NewTopic(topic, 1, (short) 1)))).all().get();
        Properties props = producerProps();
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 50); // batches of many records, compressed together
        int n = 500;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, "k" + i, "{\"codec\":\"" + codec + "\",\"n\":" + i
                        + ",\"pad\":\"" + "abc".repeat(20) + "\"}")));
            }
            for (int i = 0; i < n; i++) {
                assertThat(sent.get(i).get().offset()).isEqualTo(i);
            }
        }
        Map<String, ConsumerRecord<String, String>> read = consumeAll(topic, 1, n);
        List<JsonNode> rest = restRecords(topic, 0);
        assertThat(rest).hasSize(n);
        for (JsonNode r : rest) {
            ConsumerRecord<String, String> same = read.get(JSON.writeValueAsString(r.path("value")));
            assertThat(same).as(r.toString()).isNotNull();
            assertThat(same.offset()).isEqualTo(r.path("offset").asLong());
            assertThat(same.key()).isEqualTo("k" + r.path("value").path("n").asInt());
        }
    }

    @Test
    void aTransactionalProducerIsRefused() {
        Properties props = producerProps();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-1");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            assertThatThrownBy(producer::initTransactions).isInstanceOf(TransactionalIdAuthorizationException.class);
        }
    }

    @Test
    void producedOverRestIsReadOverKafka() throws Exception {
        admin.createTopics(List.of(new NewTopic("k-rest", 1, (short) 1))).all().get();
        StringBuilder body = new StringBuilder("{\"records\":[");
        for (int i = 0; i < 50; i++) {
            body.append(i == 0 ? "" : ",").append("{\"key\":\"r").append(i).append("\",\"value\":{\"i\":").append(i)
                    .append("},\"headers\":{\"h\":\"v").append(i).append("\"}}");
        }
        body.append("]}");
        HttpResponse<String> r = post("/api/v1/topics/k-rest/records", body.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

        Map<String, ConsumerRecord<String, String>> read = consumeAll("k-rest", 1, 50);
        for (int i = 0; i < 50; i++) {
            ConsumerRecord<String, String> rec = read.get("{\"i\":" + i + "}");
            assertThat(rec).isNotNull();
            assertThat(rec.offset()).isEqualTo(i);
            assertThat(rec.key()).isEqualTo("r" + i);
            assertThat(new String(rec.headers().lastHeader("h").value())).isEqualTo("v" + i);
        }
    }

    @Test
    void aValueThatIsNotJsonIsRefusedAndNothingIsStored() throws Exception {
        admin.createTopics(List.of(json(new NewTopic("k-json", 1, (short) 1)))).all().get();
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>("k-json", "a", "{\"ok\":true}")).get();
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("k-json", "b", "not json")).get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(InvalidRecordException.class);
        }
        TopicPartition tp = new TopicPartition("k-json", 0);
        assertThat(admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset()).isEqualTo(1);
        assertThat(restRecords("k-json", 0)).hasSize(1);
    }

    @Test
    void aTopicCreatedOverKafkaHoldsAnyBytesAndRestShowsThemAsBase64() throws Exception {
        admin.createTopics(List.of(new NewTopic("k-bytes", 1, (short) 1))).all().get();
        byte[] value = {0, (byte) 0xff, 'x', (byte) 0x80, '"'};
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps(), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("k-bytes", "k", value)).get();
            producer.send(new ProducerRecord<>("k-bytes", "n", null)).get();
        }
        List<JsonNode> rest = restRecords("k-bytes", 0);
        assertThat(rest).hasSize(2);
        assertThat(rest.get(0).path("valueEncoding").asString()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(rest.get(0).path("value").asString())).isEqualTo(value);
        assertThat(rest.get(1).path("value").isNull()).isTrue();
        assertThat(rest.get(1).has("valueEncoding")).isFalse();

        // binary cannot go back to json (it may hold values that are not JSON); json to binary can.
        HttpResponse<String> back = patch("/api/v1/topics/k-bytes/configs", "{\"configs\":{\"value.format\":\"json\"}}");
        assertThat(back.statusCode()).as(back.body()).isEqualTo(400);
        assertThat(back.body()).contains("value.format");
    }

    @Test
    void adminDescribesConfigsAndDeletesTopicsSeenOverRest() throws Exception {
        admin.createTopics(List.of(new NewTopic("k-admin", 2, (short) 1).configs(Map.of("retention.ms", "60000"))))
                .all().get();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "k-admin");
        Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        assertThat(config.get("retention.ms").value()).isEqualTo("60000");
        assertThat(config.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(config.get("cleanup.policy").value()).isEqualTo("delete");
        assertThat(config.get("cleanup.policy").isDefault()).isTrue();
        assertThat(config.get("value.format").value()).isEqualTo("binary");

        // Incremental changes: set, append to a list, reset; a validate-only change and a bad value change nothing.
        admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.bytes", "1048576"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND),
                new AlterConfigOp(new ConfigEntry("retention.ms", null), AlterConfigOp.OpType.DELETE)))).all().get();
        admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.bytes", "1"), AlterConfigOp.OpType.SET))),
                new AlterConfigsOptions().validateOnly(true)).all().get();
        assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "soon"), AlterConfigOp.OpType.SET)))).all().get())
                .hasCauseInstanceOf(org.apache.kafka.common.errors.InvalidConfigurationException.class);
        Config changed = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        assertThat(changed.get("retention.bytes").value()).isEqualTo("1048576");
        assertThat(changed.get("cleanup.policy").value()).isEqualTo("delete,compact");
        assertThat(changed.get("retention.ms").isDefault()).isTrue();
        JsonNode described = JSON.readTree(restBody("/api/v1/topics/k-admin")).get("configs");
        assertThat(described.get("retention.bytes").asString()).isEqualTo("1048576");
        assertThat(described.get("cleanup.policy").asString()).isEqualTo("delete,compact");
        // Brokers have no dynamic configs: clearing one (as Kafka's reassignment tool does) is accepted, setting not.
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
        admin.incrementalAlterConfigs(Map.of(broker, List.of(new AlterConfigOp(
                new ConfigEntry("leader.replication.throttled.rate", null), AlterConfigOp.OpType.DELETE)))).all().get();
        assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(broker, List.of(new AlterConfigOp(
                new ConfigEntry("leader.replication.throttled.rate", "1"), AlterConfigOp.OpType.SET)))).all().get())
                .hasCauseInstanceOf(org.apache.kafka.common.errors.InvalidRequestException.class);

        assertThat(restStatus("/api/v1/topics/k-admin")).isEqualTo(200);
        admin.deleteTopics(List.of("k-admin")).all().get();
        assertThat(restStatus("/api/v1/topics/k-admin")).isEqualTo(404);
        assertThat(admin.listTopics().names().get()).doesNotContain("k-admin");
        assertThatThrownBy(() -> admin.deleteTopics(List.of("k-admin")).all().get())
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
    }

    /**
     * A client that asks ApiVersions in a version newer than the listener's gets Kafka's answer:
     * version 0, UNSUPPORTED_VERSION, and the ranges supported, on the same connection.
     */
    @Test
    void anUnsupportedApiVersionsVersionIsAnsweredWithTheSupportedRanges() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", KAFKA_PORT)) {
            ByteBuffer request = ByteBuffer.allocate(64);
            request.putInt(0); // size, set below
            request.putShort(ApiKeys.API_VERSIONS.id).putShort((short) 99).putInt(7);
            request.putShort((short) 4).put("test".getBytes(StandardCharsets.UTF_8));
            request.put((byte) 0); // no tagged fields (header v2)
            request.putInt(0, request.position() - 4);
            socket.getOutputStream().write(request.array(), 0, request.position());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            ByteBuffer answer = ByteBuffer.wrap(body);
            assertThat(answer.getInt()).as("correlation id").isEqualTo(7);
            ApiVersionsResponseData data = ApiVersionsResponse.parse(new ByteBufferAccessor(answer), (short) 0).data();
            assertThat(data.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            ApiVersionsResponseData.ApiVersion produce = data.apiKeys().find(ApiKeys.PRODUCE.id);
            assertThat(produce).isNotNull();
            assertThat(produce.maxVersion()).isEqualTo(ApiKeys.PRODUCE.latestVersion(false));
            assertThat(data.apiKeys().find(ApiKeys.JOIN_GROUP.id)).isNotNull();
            assertThat(data.apiKeys().find(ApiKeys.ADD_PARTITIONS_TO_TXN.id)).as("only what is implemented").isNull();
        }
    }

    /**
     * Two subscribed consumers of one group: the second joining moves partitions to it (a
     * rebalance), every record is delivered, the commits land in the same offsets store the REST
     * API reads, and the group cannot be joined over REST meanwhile.
     */
    @Test
    void aGroupOfTwoSubscribedConsumersRebalancesReadsEverythingAndCommitsWhereRestSeesIt() throws Exception {
        int n = 3000;
        admin.createTopics(List.of(new NewTopic("k-group", 3, (short) 1))).all().get();
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>("k-group", "k" + i, "v" + i));
            }
            producer.flush();
        }
        java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<java.util.Set<TopicPartition>> secondOwns =
                new java.util.concurrent.atomic.AtomicReference<>(java.util.Set.of());
        Thread second;
        try (KafkaConsumer<String, String> first = groupConsumer("g-two")) {
            first.subscribe(List.of("k-group"));
            // The first member alone gets every partition; read a part of the topic with it.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.size() < 500 && System.nanoTime() < deadline) {
                first.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
                commit(first);
            }
            assertThat(first.assignment()).hasSize(3);

            HttpResponse<String> rest = post("/api/v1/groups/g-two/members", "{\"topics\":[\"k-group\"]}");
            assertThat(rest.statusCode()).as(rest.body()).isEqualTo(409);
            assertThat(rest.body()).contains("group-in-use");

            second = new Thread(() -> {
                try (KafkaConsumer<String, String> c = groupConsumer("g-two")) {
                    c.subscribe(List.of("k-group"));
                    while (!stop.get()) {
                        c.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
                        commit(c);
                        secondOwns.set(java.util.Set.copyOf(c.assignment()));
                    }
                }
            });
            second.start();
            deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while ((seen.size() < n || secondOwns.get().isEmpty() || first.assignment().size() == 3)
                    && System.nanoTime() < deadline) {
                first.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
                commit(first);
            }
            assertThat(secondOwns.get()).as("the second member got partitions").isNotEmpty();
            assertThat(first.assignment()).as("the first member gave some up").hasSizeLessThan(3);
            java.util.Set<TopicPartition> both = new java.util.HashSet<>(first.assignment());
            both.addAll(secondOwns.get());
            assertThat(both).hasSize(3);
            stop.set(true);
            second.join(30_000);
        }
        assertThat(seen).hasSize(n);
        // Committed through Kafka: the log end of every partition, read back by Admin and over REST.
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets("g-two").partitionsToOffsetAndMetadata().get();
        long total = 0;
        for (int p = 0; p < 3; p++) {
            TopicPartition tp = new TopicPartition("k-group", p);
            long end = offset(tp, OffsetSpec.latest()).offset();
            assertThat(committed.get(tp).offset()).isEqualTo(end);
            total += end;
        }
        assertThat(total).isEqualTo(n);
        HttpResponse<String> described = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                + "/api/v1/groups/g-two")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(described.statusCode()).as(described.body()).isEqualTo(200);
        long restCommitted = 0;
        for (JsonNode o : JSON.readTree(described.body()).path("offsets")) {
            restCommitted += o.path("committedOffset").asLong();
        }
        assertThat(restCommitted).isEqualTo(n);
        // Both members left: the group is empty again and REST may use it.
        assertThat(admin.describeConsumerGroups(List.of("g-two")).all().get().get("g-two").groupState().toString())
                .isEqualToIgnoringCase("empty");
    }

    /** Commits what was consumed; a commit refused by a rebalance is retried after the next poll, as applications do. */
    private static void commit(KafkaConsumer<String, String> consumer) {
        try {
            consumer.commitSync();
        } catch (org.apache.kafka.common.errors.RebalanceInProgressException
                 | org.apache.kafka.clients.consumer.CommitFailedException e) {
            // the next poll rejoins; its records (and those not committed) are delivered again
        }
    }

    private KafkaConsumer<String, String> groupConsumer(String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    @Test
    void offsetsByTimestampEarliestAndLatest() throws Exception {
        admin.createTopics(List.of(new NewTopic("k-times", 1, (short) 1))).all().get();
        long base = System.currentTimeMillis() - 60_000;
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("k-times", 0, base + i * 1000L, "k", "{\"i\":" + i + "}")).get();
            }
        }
        TopicPartition tp = new TopicPartition("k-times", 0);
        assertThat(offset(tp, OffsetSpec.earliest()).offset()).isZero();
        assertThat(offset(tp, OffsetSpec.latest()).offset()).isEqualTo(10);
        ListOffsetsResult.ListOffsetsResultInfo at = offset(tp, OffsetSpec.forTimestamp(base + 4500));
        assertThat(at.offset()).isEqualTo(5);
        assertThat(at.timestamp()).isEqualTo(base + 5000);
        ListOffsetsResult.ListOffsetsResultInfo none = offset(tp, OffsetSpec.forTimestamp(base + 3_600_000));
        assertThat(none.offset()).isEqualTo(-1);
    }

    private ListOffsetsResult.ListOffsetsResultInfo offset(TopicPartition tp, OffsetSpec spec) throws Exception {
        return admin.listOffsets(Map.of(tp, spec)).partitionResult(tp).get();
    }

    private static NewTopic json(NewTopic topic) {
        return topic.configs(Map.of("value.format", "json"));
    }

    private KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(producerProps(), new StringSerializer(), new StringSerializer());
    }

    private static Properties producerProps() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return p;
    }

    /** Every record of the topic's partitions, by value, read with assigned partitions from the start. */
    private Map<String, ConsumerRecord<String, String>> consumeAll(String topic, int partitions, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 300);
        Map<String, ConsumerRecord<String, String>> out = new HashMap<>();
        Map<Integer, Long> lastOffset = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                tps.add(new TopicPartition(topic, i));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            int seen = 0;
            while (seen < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    seen++;
                    Long before = lastOffset.put(r.partition(), r.offset());
                    assertThat(before == null || before < r.offset()).as("offsets of partition " + r.partition()
                            + " increase").isTrue();
                    assertThat(out.put(r.value(), r)).as("read once: " + r.value()).isNull();
                }
            }
            assertThat(consumer.poll(Duration.ofMillis(300))).as("nothing after the last record").isEmpty();
        }
        assertThat(out).hasSize(expected);
        return out;
    }

    private List<JsonNode> restRecords(String topic, int partition) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        long offset = 0;
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                    + "/api/v1/topics/" + topic + "/partitions/" + partition + "/records?maxRecords=5000&offset="
                    + offset)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(r.body());
            body.path("records").forEach(out::add);
            long next = body.path("nextOffset").asLong();
            if (next == offset || next >= body.path("highWatermark").asLong()) {
                return out;
            }
            offset = next;
        }
    }

    private int restStatus(String path) throws Exception {
        return restGet(path).statusCode();
    }

    private String restBody(String path) throws Exception {
        HttpResponse<String> r = restGet(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private HttpResponse<String> restGet(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> patch(String path, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String bootstrap() {
        return "127.0.0.1:" + KAFKA_PORT;
    }
}
