package io.tributary.ingest.replication;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Kafka listener on a three-node cluster (separate JVMs): Metadata names the three nodes and
 * each partition's Raft leader, an idempotent {@code acks=all} KafkaProducer writes while the
 * leader of a partition is SIGKILLed, and a KafkaConsumer then reads every acknowledged record
 * exactly once, at the offset it was acknowledged with, in the order written per partition, the
 * same as the REST API answers. With the node back, a consumer group of two subscribed members (the
 * second joining mid-way: a rebalance) consumes every record once and commits up to the end.
 */
class KafkaListenerClusterTest {

    private static final String TOPIC = "k-cluster";
    private static final String GROUP = "k-cluster-group";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dataRoot;

    private ProcessCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aKilledLeaderLosesAndDuplicatesNoAcknowledgedRecord() throws Exception {
        cluster = new ProcessCluster(dataRoot, "kafka-cluster-test", 3, 0, true).startAll();
        String bootstrap = cluster.kafkaBootstrap();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000))) {
            // The metadata group may still be electing its first leader: retried until created.
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
                try {
                    admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 3))).all().get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                }
                return true;
            });
            assertThat(admin.describeCluster().nodes().get()).hasSize(3);
            TopicDescription described = await().atMost(WAIT).ignoreExceptions().until(
                    () -> admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC),
                    d -> d.partitions().stream().allMatch(p -> p.leader() != null));
            for (TopicPartitionInfo p : described.partitions()) {
                assertThat(p.replicas()).hasSize(3);
            }
            int victim = described.partitions().get(0).leader().id();

            Map<String, long[]> acked = new ConcurrentHashMap<>(); // value -> {partition, offset}
            AtomicInteger failed = new AtomicInteger();
            AtomicBoolean stopWriting = new AtomicBoolean();
            Thread writer = new Thread(() -> write(bootstrap, acked, failed, stopWriting), "kafka-cluster-writer");
            writer.start();
            await().atMost(WAIT).until(() -> acked.size() >= 2_000);
            int beforeKill = acked.size();
            cluster.kill(victim);
            System.out.printf("[kafka-cluster] SIGKILLed node %d (leader of %s-0) after %d acknowledged records%n",
                    victim, TOPIC, beforeKill);
            await().atMost(WAIT).until(() -> acked.size() >= beforeKill + 2_000);
            stopWriting.set(true);
            writer.join(150_000);
            assertThat(writer.isAlive()).isFalse();
            System.out.printf("[kafka-cluster] %d records acknowledged, %d not%n", acked.size(), failed.get());

            // Everything acknowledged, once, where it was acknowledged; per partition in send order.
            Map<Integer, Long> ends = new HashMap<>();
            for (long[] at : acked.values()) {
                ends.merge((int) at[0], at[1] + 1, Math::max);
            }
            Map<String, ConsumerRecord<String, String>> read = readAll(bootstrap, ends);
            for (Map.Entry<String, long[]> e : acked.entrySet()) {
                ConsumerRecord<String, String> r = read.get(e.getKey());
                assertThat(r).as("acknowledged %s", e.getKey()).isNotNull();
                assertThat(r.partition()).isEqualTo((int) e.getValue()[0]);
                assertThat(r.offset()).isEqualTo(e.getValue()[1]);
            }
            assertSameOverRest(read, ends);

            // The killed node comes back; a group of two subscribed members then reads the topic: the
            // second joins mid-way (a rebalance), every record is consumed once, the commits reach the end.
            cluster.start(victim);
            cluster.awaitHealthy(victim);
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(Map.of(new TopicPartition(TOPIC, 0), OffsetSpec.latest(),
                    new TopicPartition(TOPIC, 1), OffsetSpec.latest(), new TopicPartition(TOPIC, 2), OffsetSpec.latest()))
                    .all().get().forEach((tp, info) -> end.put(tp, info.offset()));
            long total = end.values().stream().mapToLong(Long::longValue).sum();
            Map<String, Integer> consumed = new ConcurrentHashMap<>();
            AtomicInteger[] perMember = {new AtomicInteger(), new AtomicInteger()};
            AtomicInteger rebalances = new AtomicInteger();
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger secondAssigned = new AtomicInteger();
            // The first member reads at most half before the second member has been given partitions, so
            // that the rebalance is seen however long the join takes on a loaded machine.
            Thread first = new Thread(() -> consume(bootstrap, consumed, perMember[0], rebalances, done,
                    new AtomicInteger(), () -> perMember[0].get() < total / 2 || secondAssigned.get() > 0), "member-1");
            first.start();
            await().atMost(WAIT).until(() -> consumed.size() >= total / 3);
            Thread second = new Thread(() -> consume(bootstrap, consumed, perMember[1], rebalances, done,
                    secondAssigned, () -> true), "member-2");
            second.start();
            await().atMost(WAIT).until(() -> perMember[0].get() + perMember[1].get() >= total);
            done.set(true);
            first.join(60_000);
            second.join(60_000);
            System.out.printf("[kafka-cluster] group: %d records, %d by the first member, %d by the second, "
                    + "%d assignments%n", total, perMember[0].get(), perMember[1].get(), rebalances.get());
            assertThat(perMember[0].get() + perMember[1].get()).as("consumed once each").isEqualTo(total);
            assertThat(consumed).hasSize((int) total).allSatisfy((value, times) -> assertThat(times).isEqualTo(1));
            assertThat(consumed.keySet()).containsAll(acked.keySet());
            assertThat(perMember[1].get()).as("the second member got partitions").isPositive();
            Map<TopicPartition, Long> committed = new HashMap<>();
            admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get()
                    .forEach((tp, om) -> committed.put(tp, om.offset()));
            assertThat(committed).isEqualTo(end);
        }
    }

    /**
     * A subscribed member of {@link #GROUP}: commits after every poll it has processed, so a rebalance
     * hands its partitions over at the committed position; slowed down so the second member joins mid-way.
     */
    private static void consume(String bootstrap, Map<String, Integer> consumed, AtomicInteger count,
            AtomicInteger assignments, AtomicBoolean done, AtomicInteger ownPartitions,
            java.util.function.BooleanSupplier mayRead) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        // Small fetches per partition, so that a member reads its partitions side by side: with the default
        // 1 MiB one fetch can bring a whole partition, which the first member may then drain before the
        // second is given it, leaving the second nothing to read.
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
                    assignments.incrementAndGet();
                    if (!partitions.isEmpty()) {
                        ownPartitions.incrementAndGet();
                    }
                }
            });
            while (!done.get()) {
                if (mayRead.getAsBoolean()) {
                    consumer.resume(consumer.paused());
                } else {
                    consumer.pause(consumer.assignment()); // still polls, so it stays in the group
                }
                var records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, String> r : records) {
                    consumed.merge(r.value(), 1, Integer::sum);
                }
                count.addAndGet(records.count());
                if (!records.isEmpty()) {
                    consumer.commitSync();
                    Thread.sleep(50);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The REST API of every node answers the same records at the same offsets as the Kafka read. */
    private void assertSameOverRest(Map<String, ConsumerRecord<String, String>> read, Map<Integer, Long> ends)
            throws Exception {
        Map<String, String> byPosition = new HashMap<>();
        read.values().forEach(r -> byPosition.put(r.partition() + "@" + r.offset(), r.value()));
        int node = 1;
        while (!cluster.isHealthy(node)) {
            node++;
        }
        for (Map.Entry<Integer, Long> e : ends.entrySet()) {
            long offset = 0;
            while (offset < e.getValue()) {
                var response = cluster.get(node, "/api/v1/topics/" + TOPIC + "/partitions/" + e.getKey()
                        + "/records?offset=" + offset);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                JsonNode page = JSON.readTree(response.body());
                for (JsonNode r : page.get("records")) {
                    long at = r.get("offset").asLong();
                    if (at < e.getValue()) {
                        String value = new String(Base64.getDecoder().decode(r.get("value").asString()),
                                StandardCharsets.UTF_8);
                        assertThat(value).as("%d@%d over REST", e.getKey(), at)
                                .isEqualTo(byPosition.get(e.getKey() + "@" + at));
                    }
                }
                offset = page.get("nextOffset").asLong();
            }
        }
    }

    /** Keyed records v<i> to the topic until told to stop; records the acknowledged ones. */
    private static void write(String bootstrap, Map<String, long[]> acked, AtomicInteger failed, AtomicBoolean stop) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; !stop.get(); i++) {
                String value = "v" + i;
                producer.send(new ProducerRecord<>(TOPIC, "k" + (i % 97), value), (m, e) -> {
                    if (e == null) {
                        acked.put(value, new long[] {m.partition(), m.offset()});
                    } else {
                        failed.incrementAndGet();
                    }
                });
                if (i % 200 == 0) {
                    Thread.sleep(20); // a steady stream, not a flood, so the kill happens mid-run
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every record of the topic's partitions up to {@code ends}, by value; fails on a value read twice. */
    private static Map<String, ConsumerRecord<String, String>> readAll(String bootstrap, Map<Integer, Long> ends) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        Map<String, ConsumerRecord<String, String>> out = new HashMap<>();
        Map<Integer, Long> last = new HashMap<>();
        Map<Integer, Long> lastWritten = new HashMap<>(); // the writer's counter of the last record read, per partition
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                tps.add(new TopicPartition(TOPIC, i));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline && !ends.entrySet().stream()
                    .allMatch(e -> last.getOrDefault(e.getKey(), -1L) + 1 >= e.getValue())) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    Long before = last.put(r.partition(), r.offset());
                    assertThat(before == null || before < r.offset()).isTrue();
                    long written = Long.parseLong(r.value().substring(1));
                    Long previous = lastWritten.put(r.partition(), written);
                    assertThat(previous == null || previous < written).as("in send order: %s", r.value()).isTrue();
                    assertThat(out.put(r.value(), r)).as("read once: %s", r.value()).isNull();
                }
            }
        }
        return out;
    }
}
