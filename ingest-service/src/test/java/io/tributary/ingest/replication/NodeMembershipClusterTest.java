package io.tributary.ingest.replication;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static io.tributary.ingest.replication.ClusterAsserts.assertProblem;
import static io.tributary.ingest.replication.ClusterAsserts.ints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Growing and healing a cluster through the admin API, with in-JVM nodes: a fourth node is added
 * while writes go on, takes over every replica of node 2 (replace), node 2 is removed and its data
 * wiped; no acknowledged record is lost, the new node holds byte-identical batches, the cluster then
 * survives the loss of another founding node with the new one voting, and a topic created afterwards
 * lands on the members of the day. Every node has a Kafka listener, the new one added with its Kafka
 * port: Kafka clients are told about it and write and read a partition it leads. Bad requests are
 * refused with problems.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeMembershipClusterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String TOPIC = "grow";
    private static final int PARTITIONS = 3;

    private static LoopbackCluster cluster;
    /** Acknowledged records: value -> "partition:offset". */
    private static final Map<String, String> acked = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = new LoopbackCluster(Files.createTempDirectory("ingest-membership-"), 3, 1, true,
                "--ingest.replication.snapshot-threshold=50",
                "--ingest.replication.raft-segment-size=64KB",
                "--ingest.replication.purge-gap=10",
                "--ingest.replication.move-timeout=20s").startAll();
        HttpResponse<String> created = cluster.createTopic(1, TOPIC, PARTITIONS, 3);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        for (int i = 0; i < 150; i++) {
            produceOrFail(1 + i % 3, "pre-" + i);
        }
        cluster.start(4); // a spare: not a member yet
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void badRequestsAreRefused() throws Exception {
        // not started: unreachable
        assertProblem(cluster.send(1, "POST", "/api/v1/cluster/nodes",
                "{\"id\":9,\"host\":\"127.0.0.1\",\"httpPort\":1,\"raftPort\":1}"), 503, "node-unreachable");
        assertProblem(cluster.send(1, "POST", "/api/v1/cluster/nodes", "{\"id\":9,\"host\":\"127.0.0.1\"}"), 400,
                "invalid-request");
        assertProblem(cluster.send(1, "POST", "/api/v1/cluster/nodes",
                "{\"id\":9,\"host\":\"127.0.0.1\",\"httpPort\":0,\"raftPort\":70000}"), 400, "invalid-request");
        for (int kafkaPort : new int[] {0, 70000}) {
            assertProblem(cluster.send(1, "POST", "/api/v1/cluster/nodes", cluster.nodeJson(4)
                    .replace("\"kafkaPort\":" + cluster.kafkaPort(4), "\"kafkaPort\":" + kafkaPort)), 400,
                    "invalid-request");
        }
        // a founder again, under its own address or another node's
        assertProblem(cluster.send(1, "POST", "/api/v1/cluster/nodes", cluster.nodeJson(2)), 409, "node-exists");
        assertProblem(cluster.send(1, "POST", "/api/v1/cluster/nodes", cluster.nodeJson(3).replace("\"id\":3",
                "\"id\":8")), 409, "node-exists");
        assertProblem(cluster.send(1, "DELETE", "/api/v1/cluster/nodes/2", null), 409, "node-not-empty");
        assertProblem(cluster.send(1, "DELETE", "/api/v1/cluster/nodes/7", null), 404, "not-found");
        assertProblem(cluster.send(1, "DELETE", "/api/v1/cluster/nodes/1", null), 400, "invalid-request");
        assertProblem(cluster.send(1, "POST", "/api/v1/cluster/nodes/2/replace", "{\"by\":4}"), 400,
                "invalid-request"); // 4 is not a member yet
        assertProblem(cluster.send(1, "POST", "/api/v1/cluster/nodes/2/replace", "{}"), 400, "invalid-request");
        assertThat(memberIds(1)).containsExactly(1, 2, 3);
    }

    @Test
    @Order(2)
    void aNewNodeTakesOverAnotherUnderLoadAndTheOldOneLeaves() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger refused = new AtomicInteger();
        Thread writer = new Thread(() -> {
            for (int i = 0; writing.get(); i++) {
                try {
                    HttpResponse<String> r = produce(1 + i % 3, "load-" + i);
                    if (r.statusCode() == 200) {
                        record("load-" + i, r);
                    } else {
                        refused.incrementAndGet();
                    }
                } catch (Exception e) {
                    refused.incrementAndGet();
                }
            }
        }, "membership-writer");
        writer.start();
        try {
            HttpResponse<String> added = cluster.send(2, "POST", "/api/v1/cluster/nodes", cluster.nodeJson(4));
            assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
            assertThat(JSON.readTree(added.body()).get("kafkaPort").asInt()).isEqualTo(cluster.kafkaPort(4));
            // Sent again (a retry after a lost answer): already a member.
            assertProblem(cluster.send(3, "POST", "/api/v1/cluster/nodes", cluster.nodeJson(4)), 409, "node-exists");
            for (int node = 1; node <= 4; node++) {
                int n = node;
                await().atMost(WAIT).untilAsserted(() -> assertThat(memberIds(n)).containsExactly(1, 2, 3, 4));
            }
            assertThat(kafkaPorts(1)).containsEntry(4, cluster.kafkaPort(4)).containsEntry(1, cluster.kafkaPort(1));
            // The new node learnt the topics from the metadata log; it holds no replica yet.
            assertThat(registry(4).exists(TOPIC)).isTrue();
            assertThat(registry(4).get(TOPIC).hostedPartitions()).isEmpty();

            HttpResponse<String> replace = cluster.send(1, "POST", "/api/v1/cluster/nodes/2/replace", "{\"by\":4}");
            assertThat(replace.statusCode()).as(replace.body()).isEqualTo(202);
            JsonNode moves = JSON.readTree(replace.body()).get("reassignments");
            assertThat(moves.size()).as("3 partitions of grow and the offsets topic's").isGreaterThan(PARTITIONS);
            for (JsonNode m : moves) {
                assertThat(ints(m.get("target"))).contains(4).doesNotContain(2);
            }
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(JSON.readTree(cluster.send(1, "GET", "/api/v1/cluster/reassignments", null).body())
                            .get("reassignments")).isEmpty());
            Thread.sleep(500);
        } finally {
            writing.set(false);
            writer.join(30_000);
        }
        System.out.printf("[membership] %d records acknowledged, %d attempts refused during add and replace%n",
                acked.size(), refused.get());
        HttpResponse<String> removed = cluster.send(3, "DELETE", "/api/v1/cluster/nodes/2", null);
        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(204);
        for (int node : List.of(1, 3, 4)) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(memberIds(node)).containsExactly(1, 3, 4));
        }
        cluster.stop(2);
        deleteRecursively(cluster.dataDir(2));

        for (int p = 0; p < PARTITIONS; p++) {
            int partition = p;
            await().atMost(WAIT).untilAsserted(() -> {
                List<RecordBatch> on1 = batches(1, partition);
                List<RecordBatch> on4 = batches(4, partition);
                assertThat(on4).hasSameSizeAs(on1);
                for (int i = 0; i < on1.size(); i++) {
                    assertThat(on4.get(i).copyBytes()).isEqualTo(on1.get(i).copyBytes());
                }
            });
        }
        for (int node : List.of(1, 3, 4)) {
            assertThat(readAll(node)).as("through node %d", node).containsAllEntriesOf(acked);
        }
    }

    @Test
    @Order(3)
    void kafkaClientsAreToldAboutTheAddedNodeAndUseItAsLeader() throws Exception {
        // Node 4 took node 2's place in every replica list, first in one of them: it is that partition's
        // preferred leader.
        JsonNode described = JSON.readTree(cluster.send(1, "GET", "/api/v1/topics/" + TOPIC, null).body());
        int led = -1;
        for (JsonNode p : described.get("partitionDetails")) {
            if (p.get("replicas").get(0).asInt() == 4) {
                led = p.get("partition").asInt();
            }
        }
        assertThat(led).as("a partition node 4 is the preferred leader of: %s", described).isNotNegative();
        int partition = led;
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            cluster.send(1, "POST", "/api/v1/cluster/preferred-leader-elections?topic=" + TOPIC, null);
            assertThat(JSON.readTree(cluster.send(1, "GET", "/api/v1/topics/" + TOPIC, null).body())
                    .get("partitionDetails").get(partition).get("leader").asInt()).isEqualTo(4);
        });

        String bootstrap = "127.0.0.1:" + cluster.kafkaPort(1); // a founder: clients learn of node 4 from it
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            assertThat(admin.describeCluster().nodes().get()).extracting(Node::id, Node::host, Node::port)
                    .containsExactlyInAnyOrder(tuple(1, "127.0.0.1", cluster.kafkaPort(1)),
                            tuple(3, "127.0.0.1", cluster.kafkaPort(3)), tuple(4, "127.0.0.1", cluster.kafkaPort(4)));
            assertThat(admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions()
                    .get(partition).leader().id()).isEqualTo(4);
        }

        // Written and read over Kafka: the produce and fetch are answered by node 4, the only one that may.
        Map<String, Long> written = new HashMap<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 20; i++) {
                String value = "kafka-" + i;
                RecordMetadata m = producer.send(new ProducerRecord<>(TOPIC, partition, value, "\"" + value + "\""))
                        .get();
                written.put(value, m.offset());
                acked.put(value, partition + ":" + m.offset());
            }
        }
        TopicPartition tp = new TopicPartition(TOPIC, partition);
        Map<String, Long> read = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, written.get("kafka-0"));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (read.size() < written.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    read.put(r.key(), r.offset());
                }
            }
        }
        assertThat(read).isEqualTo(written);
    }

    @Test
    @Order(4)
    void theGrownClusterOutlivesAFoundersLossAndPlacesNewTopicsOnItsMembers() throws Exception {
        cluster.stop(1);
        // Nodes 3 and 4 are a majority of every group now (metadata {1,3,4}, partitions {1,3,4}).
        await().atMost(WAIT).untilAsserted(() -> {
            HttpResponse<String> r = produce(4, "after-loss");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            record("after-loss", r);
        });
        HttpResponse<String> created = cluster.createTopic(3, "late", 3, 2);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode late = JSON.readTree(cluster.send(4, "GET", "/api/v1/topics/late", null).body());
        for (JsonNode p : late.get("partitionDetails")) {
            assertThat(ints(p.get("replicas"))).hasSize(2).isSubsetOf(1, 3, 4);
        }
        cluster.start(1);
        await().atMost(WAIT).untilAsserted(() -> assertThat(readAll(1)).containsAllEntriesOf(acked));
    }

    // --- helpers -----------------------------------------------------------------------------

    /** The Kafka port of each member the cluster view of {@code node} shows one for. */
    private static Map<Integer, Integer> kafkaPorts(int node) throws Exception {
        Map<Integer, Integer> out = new HashMap<>();
        JSON.readTree(cluster.send(node, "GET", "/api/v1/cluster", null).body()).get("nodes").forEach(n -> {
            if (n.has("kafkaPort")) {
                out.put(n.get("id").asInt(), n.get("kafkaPort").asInt());
            }
        });
        return out;
    }

    private static List<Integer> memberIds(int node) throws Exception {
        HttpResponse<String> r = cluster.send(node, "GET", "/api/v1/cluster", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<Integer> out = new ArrayList<>();
        JSON.readTree(r.body()).get("nodes").forEach(n -> out.add(n.get("id").asInt()));
        return out;
    }


    private static TopicRegistry registry(int node) {
        return cluster.context(node).getBean(TopicRegistry.class);
    }

    private static List<RecordBatch> batches(int node, int partition) {
        PartitionLog log = registry(node).partition(TOPIC, partition);
        return log.read(log.logStartOffset(), Integer.MAX_VALUE).batches();
    }

    private static HttpResponse<String> produce(int node, String value) throws Exception {
        return cluster.send(node, "POST", "/api/v1/topics/" + TOPIC + "/records",
                "{\"acks\":\"all\",\"records\":[{\"key\":\"" + value + "\",\"value\":\"" + value + "\"}]}");
    }

    private static void produceOrFail(int node, String value) throws Exception {
        HttpResponse<String> r = produce(node, value);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        record(value, r);
    }

    private static void record(String value, HttpResponse<String> r) {
        JsonNode o = JSON.readTree(r.body()).get("offsets").get(0);
        acked.put(value, o.get("partition").asInt() + ":" + o.get("offset").asLong());
    }

    /** Every record of the topic read through a node: value -> "partition:offset". */
    private static Map<String, String> readAll(int node) throws Exception {
        Map<String, String> out = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            for (JsonNode rec : ClusterAsserts.readPartition(cluster, node, TOPIC, p)) {
                out.put(rec.get("value").asString(), p + ":" + rec.get("offset").asLong());
            }
        }
        return out;
    }

    private static void deleteRecursively(java.nio.file.Path dir) throws Exception {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
