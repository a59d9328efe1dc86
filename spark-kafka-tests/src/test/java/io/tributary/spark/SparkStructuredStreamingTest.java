package io.tributary.spark;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spark Structured Streaming, unmodified ({@code spark-sql-kafka-0-10}, {@code local[2]}, its own
 * kafka-clients 3.9), against one ingest-service node: a streaming query reads a topic from a
 * timestamp ({@code startingOffsetsByTimestamp}) and copies it through Spark's Kafka sink into
 * another topic; a second run of the query from its checkpoint picks up only the records produced
 * since. Checked against what the test produced (the oracle), by a plain {@code KafkaConsumer}
 * and over REST: every expected record once, nothing else.
 */
class SparkStructuredStreamingTest {

    private static final int PARTITIONS = 3;
    private static final int OLD = 1_500;
    private static final int NEW = 1_500;
    private static final int LATER = 1_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static IngestNode node;
    static SparkSession spark;

    @BeforeAll
    static void start() throws Exception {
        node = IngestNode.start(dir);
        spark = SparkSession.builder().master("local[2]").appName("tributary-kafka-listener")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    @AfterAll
    static void stop() throws Exception {
        if (spark != null) {
            spark.stop();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void streamsFromATimestampThroughTheKafkaSinkAndRestartsFromItsCheckpointWithoutDuplicates() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrap()))) {
            admin.createTopics(List.of(new NewTopic("clicks", PARTITIONS, (short) 1),
                    new NewTopic("clicks-copy", PARTITIONS, (short) 1))).all().get();
        }
        long now = System.currentTimeMillis();
        long oldTime = now - Duration.ofHours(2).toMillis();
        long cutoff = now - Duration.ofHours(1).toMillis();
        produce(0, OLD, oldTime);
        produce(OLD, NEW, cutoff);

        // A batch query sees the whole topic, and from a timestamp exactly the newer records.
        assertThat(spark.read().format("kafka").option("kafka.bootstrap.servers", node.bootstrap())
                .option("subscribe", "clicks").load().count()).isEqualTo(OLD + NEW);
        assertThat(spark.read().format("kafka").option("kafka.bootstrap.servers", node.bootstrap())
                .option("subscribe", "clicks").option("startingTimestamp", String.valueOf(cutoff)).load().count())
                .isEqualTo(NEW);

        String startAt = IntStream.range(0, PARTITIONS).mapToObj(p -> "\"" + p + "\":" + cutoff)
                .collect(Collectors.joining(",", "{\"clicks\":{", "}}"));
        Path checkpoint = dir.resolve("checkpoint");
        assertThat(runCopy(startAt, checkpoint)).isEqualTo(NEW);
        Set<String> expected = keys(OLD, NEW);
        assertThat(readCopy()).containsExactlyInAnyOrderElementsOf(expected);

        // Restarted from its checkpoint, the query copies only what was produced since.
        produce(OLD + NEW, LATER, System.currentTimeMillis());
        assertThat(runCopy(startAt, checkpoint)).isEqualTo(LATER);
        expected.addAll(keys(OLD + NEW, LATER));
        List<String> copied = readCopy();
        assertThat(copied).hasSize(NEW + LATER).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(restKeys("clicks-copy")).containsExactlyInAnyOrderElementsOf(copied);
    }

    /** The streaming copy, run until it has caught up (Trigger.AvailableNow); returns the rows it read. */
    private long runCopy(String startAt, Path checkpoint) throws Exception {
        StreamingQuery query = spark.readStream().format("kafka")
                .option("kafka.bootstrap.servers", node.bootstrap())
                .option("subscribe", "clicks")
                .option("startingOffsetsByTimestamp", startAt)
                .load()
                .selectExpr("key", "concat(CAST(value AS STRING), ' copied') AS value")
                .writeStream().format("kafka")
                .option("kafka.bootstrap.servers", node.bootstrap())
                .option("topic", "clicks-copy")
                .option("checkpointLocation", checkpoint.toString())
                .trigger(Trigger.AvailableNow())
                .start();
        assertThat(query.awaitTermination(Duration.ofMinutes(3).toMillis())).as("query finished").isTrue();
        assertThat(query.exception().isEmpty()).as("query failed: %s", query.exception()).isTrue();
        long rows = 0;
        for (StreamingQueryProgress progress : query.recentProgress()) {
            rows += progress.numInputRows();
        }
        return rows;
    }

    /** Record i: key "click-i", value {"n":i}, on partition i % 3, at {@code time} + i ms. */
    private static void produce(int from, int count, long time) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrap());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>("clicks", i % PARTITIONS, time + i, "click-" + i,
                        "{\"n\":" + i + "}")).get();
            }
        }
    }

    private static Set<String> keys(int from, int count) {
        return IntStream.range(from, from + count).mapToObj(i -> "click-" + i).collect(Collectors.toCollection(HashSet::new));
    }

    /** Every key of the copy topic, read by a plain consumer from the start to the end offsets. */
    private static List<String> readCopy() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrap());
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = IntStream.range(0, PARTITIONS)
                    .mapToObj(p -> new TopicPartition("clicks-copy", p)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    int n = Integer.parseInt(r.key().substring("click-".length()));
                    assertThat(r.value()).isEqualTo("{\"n\":" + n + "} copied");
                    keys.add(r.key());
                }
            }
        }
        return keys;
    }

    /** Every key of a topic over the REST API (values there are base64: the topic is binary). */
    private static List<String> restKeys(String topic) throws Exception {
        List<String> keys = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            long offset = 0;
            while (true) {
                JsonNode page = JSON.readTree(node.get("/api/v1/topics/" + topic + "/partitions/" + p
                        + "/records?offset=" + offset));
                for (JsonNode r : page.get("records")) {
                    keys.add(r.get("key").asText());
                    assertThat(new String(Base64.getDecoder().decode(r.get("value").asText()),
                            StandardCharsets.UTF_8)).endsWith(" copied");
                }
                offset = page.get("nextOffset").asLong();
                if (offset >= page.get("highWatermark").asLong()) {
                    break;
                }
            }
        }
        return keys;
    }
}
