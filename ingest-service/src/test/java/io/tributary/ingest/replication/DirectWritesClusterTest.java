package io.tributary.ingest.replication;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static io.tributary.ingest.replication.ClusterAsserts.ints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Partitions with one replica on three in-JVM nodes are written by their replica directly
 * ({@link DirectWrites}), not through a Raft entry per batch. Produced through every node (a node
 * that is not the replica forwards the batch), every acknowledged record is read back once, at its
 * offset, through every node: after the replica's node restarts (replaying its Raft log, no
 * snapshot on stop), while the replica moves to another node under load, and while a second
 * replica is added (the partition goes back to Raft entries; both replicas byte-identical) and
 * removed again (written directly once more), and after a restart that follows retention deleting
 * the batches of the Raft entries written before the switch. Writes carry an {@code Idempotency-Key} so that a
 * retried 503 is not written twice; the oracle is the set of acknowledged records, each at its offset,
 * and nothing read that was never sent or read twice. With {@code fetch-writes} off, so that two replicas mean Raft
 * entries (with it on, the default, they mean fetched writes: FetchWritesClusterTest).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DirectWritesClusterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String TOPIC = "solo";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static LoopbackCluster cluster;
    /** The node holding each partition's replica at the start. */
    private static final int[] host = new int[3];
    /** Acknowledged records per partition: value -> offset. */
    private static final List<Map<String, Long>> acked = List.of(new ConcurrentHashMap<>(),
            new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
    /** Every value ever sent, acknowledged or not. */
    private static final Set<String> sent = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() throws Exception {
        cluster = new LoopbackCluster(Files.createTempDirectory("ingest-direct-"), 3,
                "--ingest.replication.fetch-writes=false",
                "--ingest.replication.move-timeout=15s",
                "--ingest.maintenance.retention-check-interval=200ms").startAll();
        HttpResponse<String> created = cluster.createTopic(1, TOPIC, 3, 1);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        for (int p = 0; p < 3; p++) {
            host[p] = replicas(1, p).get(0);
        }
        assertThat(Set.of(host[0], host[1], host[2])).as("one partition per node").hasSize(3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void eachPartitionIsWrittenByItsReplicaWithoutARaftEntryPerBatch() throws Exception {
        for (int p = 0; p < 3; p++) {
            awaitDirect(host[p], p, true);
        }
        long[] raftEntriesBefore = new long[3];
        long[] forwardsBefore = new long[4];
        long[] arrivalsBefore = new long[4];
        for (int p = 0; p < 3; p++) {
            raftEntriesBefore[p] = lastRaftIndex(host[p], p);
            forwardsBefore[p + 1] = forwards(p + 1);
            arrivalsBefore[p + 1] = timed(p + 1, "ingest.replication.forwarded");
        }
        for (int i = 0; i < 90; i++) {
            produceOrFail(1 + i % 3, i % 3, "first-" + i); // through the replica's node or forwarded to it
        }
        // Node n takes the produces of partition n - 1: forwarded (and timed) unless it is that partition's replica.
        for (int n = 1; n <= 3; n++) {
            long forwarded = forwards(n) - forwardsBefore[n];
            if (host[n - 1] == n) {
                assertThat(forwarded).as("forwards timed by node %d, the replica", n).isZero();
            } else {
                assertThat(forwarded).as("forwards timed by node %d", n).isGreaterThanOrEqualTo(30);
            }
        }
        // ... and timed again where they arrived: the replica's node.
        for (int n = 1; n <= 3; n++) {
            long expected = 0;
            for (int p = 0; p < 3; p++) {
                expected += host[p] == n && p + 1 != n ? 30 : 0;
            }
            assertThat(timed(n, "ingest.replication.forwarded") - arrivalsBefore[n])
                    .as("forwarded batches timed on arrival at node %d", n).isGreaterThanOrEqualTo(expected);
        }
        for (int p = 0; p < 3; p++) {
            assertThat(batchEntriesAfter(host[p], p, raftEntriesBefore[p]))
                    .as("Raft entries holding batches of partition %d, for 30 batches", p).isEmpty();
            assertThat(log(host[p], p).logEndOffset()).isEqualTo(30);
        }
        assertEveryNodeReadsExactlyTheAcknowledgedRecords();
    }

    @Test
    @Order(2)
    void aRestartOfTheReplicasNodeKeepsEveryRecordAndItGoesOnWritingDirectly() throws Exception {
        Map<String, Long> before = new java.util.TreeMap<>(acked.get(0));
        assertThat(before).hasSize(30);
        cluster.stop(host[0]);
        cluster.start(host[0]);
        cluster.awaitReady(host[0]);
        awaitDirect(host[0], 0, true);
        // The keys of the direct appends before the stop came back (snapshot, then the key journal): a retry is
        // answered with its first offset and writes nothing.
        for (Map.Entry<String, Long> e : before.entrySet()) {
            HttpResponse<String> retry = produce(host[0], 0, e.getKey());
            for (int attempt = 0; retry.statusCode() == 503 && attempt < 60; attempt++) {
                Thread.sleep(500); // still electing itself after the start
                retry = produce(host[0], 0, e.getKey());
            }
            assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
            assertThat(JSON.readTree(retry.body()).get("offsets").get(0).get("offset").asLong()).as(e.getKey())
                    .isEqualTo(e.getValue());
        }
        assertThat(log(host[0], 0).logEndOffset()).isEqualTo(30);
        for (int i = 0; i < 30; i++) {
            produceOrFail(1 + i % 3, 0, "after-restart-" + i);
        }
        assertThat(log(host[0], 0).logEndOffset()).isEqualTo(60);
        assertEveryNodeReadsExactlyTheAcknowledgedRecords();
    }

    @Test
    @Order(3)
    void theReplicaMovesToAnotherNodeUnderLoad() throws Exception {
        int to = host[1]; // partition 0 moves onto the node of partition 1
        underLoad(0, () -> {
            HttpResponse<String> started = reassign(0, List.of(to));
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            awaitReplicas(0, List.of(to));
        });
        awaitDirect(to, 0, true);
        assertThat(registry(host[0]).get(TOPIC).hosts(0)).isFalse();
        for (int i = 0; i < 15; i++) {
            produceOrFail(1 + i % 3, 0, "after-move-" + i);
        }
        assertEveryNodeReadsExactlyTheAcknowledgedRecords();
    }

    @Test
    @Order(4)
    void aSecondReplicaIsAddedUnderLoadAndRemovedAgain() throws Exception {
        int first = host[1];
        int second = host[2];
        underLoad(1, () -> {
            HttpResponse<String> started = reassign(1, List.of(first, second));
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            awaitReplicas(1, List.of(first, second));
        });
        // Two members: every batch is a Raft entry again, and both replicas hold the same batches.
        assertThat(sm(first, 1).direct()).isFalse();
        for (int i = 0; i < 15; i++) {
            produceOrFail(1 + i % 3, 1, "two-replicas-" + i);
        }
        await().atMost(WAIT).untilAsserted(() -> {
            List<RecordBatch> a = batches(first, 1);
            List<RecordBatch> b = batches(second, 1);
            assertThat(b).hasSameSizeAs(a);
            for (int i = 0; i < a.size(); i++) {
                assertThat(b.get(i).baseOffset()).isEqualTo(a.get(i).baseOffset());
                assertThat(b.get(i).copyBytes()).isEqualTo(a.get(i).copyBytes());
            }
        });
        assertEveryNodeReadsExactlyTheAcknowledgedRecords();

        HttpResponse<String> back = reassign(1, List.of(first));
        assertThat(back.statusCode()).as(back.body()).isEqualTo(202);
        awaitReplicas(1, List.of(first));
        awaitDirect(first, 1, true);
        long raftEntriesBefore = lastRaftIndex(first, 1);
        for (int i = 0; i < 15; i++) {
            produceOrFail(1 + i % 3, 1, "one-replica-again-" + i);
        }
        assertThat(batchEntriesAfter(first, 1, raftEntriesBefore)).as("Raft entries holding batches").isEmpty();
        assertEveryNodeReadsExactlyTheAcknowledgedRecords();
    }

    /**
     * A partition written through Raft entries (two replicas), then directly again: retention deletes
     * the segments of the Raft entries, and the node restarts. The replay must not need those batches
     * (the leader snapshots after the switch), so the partition comes back and goes on.
     */
    @Test
    @Order(5)
    void aRestartAfterRetentionDeletedTheBatchesOfEarlierRaftEntries() throws Exception {
        int first = host[2];
        int second = host[0];
        assertThat(cluster.send(1, "PATCH", "/api/v1/topics/" + TOPIC + "/configs",
                "{\"configs\":{\"segment.bytes\":\"1024\"}}").statusCode()).isEqualTo(200);
        HttpResponse<String> grow = reassign(2, List.of(first, second));
        assertThat(grow.statusCode()).as(grow.body()).isEqualTo(202);
        awaitReplicas(2, List.of(first, second));
        for (int i = 0; i < 20; i++) {
            produceOrFail(1 + i % 3, 2, "raft-era-" + i + "-" + "r".repeat(100));
        }
        long raftEraEnd = log(first, 2).logEndOffset();
        HttpResponse<String> shrink = reassign(2, List.of(first));
        assertThat(shrink.statusCode()).as(shrink.body()).isEqualTo(202);
        awaitReplicas(2, List.of(first));
        awaitDirect(first, 2, true);
        await().atMost(WAIT).until(() -> sm(first, 2).snapshotAfterSwitch());
        for (int i = 0; i < 40; i++) {
            produceOrFail(1 + i % 3, 2, "direct-era-" + i + "-" + "d".repeat(100));
        }
        assertThat(cluster.send(1, "PATCH", "/api/v1/topics/" + TOPIC + "/configs",
                "{\"configs\":{\"retention.bytes\":\"3000\"}}").statusCode()).isEqualTo(200);
        await().atMost(WAIT).until(() -> log(first, 2).logStartOffset() > raftEraEnd);

        cluster.stop(first);
        cluster.start(first);
        cluster.awaitReady(first);
        awaitDirect(first, 2, true);
        for (int i = 0; i < 10; i++) {
            produceOrFail(1 + i % 3, 2, "after-retention-" + i);
        }
        // Retention stops here, so the log start the reads begin at stays put. A retention pass that
        // read the old setting may still move it once: the reads then start again from the new start.
        assertThat(cluster.send(1, "PATCH", "/api/v1/topics/" + TOPIC + "/configs",
                "{\"configs\":{\"retention.bytes\":\"-1\"}}").statusCode()).isEqualTo(200);
        await().atMost(WAIT).until(() -> log(first, 2).config().retentionBytes() < 0);
        for (int attempt = 1; ; attempt++) {
            long start = log(first, 2).logStartOffset();
            try {
                assertEveryNodeReadsTheRetainedAcknowledgedRecords(start);
                return;
            } catch (AssertionError e) {
                if (attempt == 3 || log(first, 2).logStartOffset() == start) {
                    throw e;
                }
            }
        }
    }

    private void assertEveryNodeReadsTheRetainedAcknowledgedRecords(long start) throws Exception {
        for (int node = 1; node <= 3; node++) {
            Map<String, Long> read = new HashMap<>();
            for (JsonNode rec : ClusterAsserts.readPartition(cluster, node, TOPIC, 2, start)) {
                assertThat(read.put(rec.get("value").asString(), rec.get("offset").asLong()))
                        .as("read twice through node %d", node).isNull();
            }
            Map<String, Long> retained = new HashMap<>();
            acked.get(2).forEach((value, offset) -> {
                if (offset >= start) {
                    retained.put(value, offset);
                }
            });
            assertThat(retained).as("acknowledged records retention kept").isNotEmpty();
            assertThat(read).as("partition 2 through node %d", node).containsAllEntriesOf(retained);
        }
    }

    // --- helpers -----------------------------------------------------------------------------

    /** Runs {@code step} while a writer sends records to {@code partition} through every node in turn. */
    private static void underLoad(int partition, ThrowingRunnable step) throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        int[] outcomes = new int[2];
        Thread writer = new Thread(() -> {
            for (int i = 0; writing.get(); i++) {
                try {
                    String value = "load-" + partition + "-" + i;
                    HttpResponse<String> r = produce(1 + i % 3, partition, value);
                    outcomes[r.statusCode() == 200 ? 0 : 1]++;
                } catch (Exception e) {
                    outcomes[1]++;
                }
            }
        }, "direct-writes-writer");
        writer.start();
        try {
            step.run();
            Thread.sleep(300); // a few writes after the change
        } finally {
            writing.set(false);
            writer.join(30_000);
        }
        System.out.printf("[direct-writes] partition %d: %d writes acknowledged, %d not during the change%n",
                partition, outcomes[0], outcomes[1]);
        assertThat(outcomes[0]).as("writes acknowledged during the change").isPositive();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static void assertEveryNodeReadsExactlyTheAcknowledgedRecords() throws Exception {
        for (int p = 0; p < 3; p++) {
            for (int node = 1; node <= 3; node++) {
                List<JsonNode> records = ClusterAsserts.readPartition(cluster, node, TOPIC, p);
                Map<String, Long> read = new HashMap<>();
                Set<String> twice = new HashSet<>();
                for (JsonNode rec : records) {
                    String value = rec.get("value").asString();
                    if (read.put(value, rec.get("offset").asLong()) != null) {
                        twice.add(value);
                    }
                }
                assertThat(twice).as("records read twice from partition %d through node %d", p, node).isEmpty();
                assertThat(read).as("partition %d through node %d", p, node).containsAllEntriesOf(acked.get(p));
                assertThat(sent).as("partition %d through node %d holds only records sent", p, node)
                        .containsAll(read.keySet());
            }
        }
    }

    /** The produced batches node {@code node} forwarded to another node, as its timer counts them. */
    private static long forwards(int node) {
        return timed(node, "ingest.replication.forward");
    }

    private static long timed(int node, String timer) {
        return cluster.context(node).getBean(MeterRegistry.class).get(timer).timer().count();
    }

    private static void produceOrFail(int node, int partition, String value) throws Exception {
        HttpResponse<String> r = produce(node, partition, value);
        for (int attempt = 0; r.statusCode() == 503 && attempt < 60; attempt++) {
            Thread.sleep(500); // a replica's node still starting or electing itself; the key makes the retry safe
            r = produce(node, partition, value);
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** One produce of one record with the value as its Idempotency-Key; records it when acknowledged. */
    private static HttpResponse<String> produce(int node, int partition, String value) throws Exception {
        sent.add(value);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(cluster.baseUrl(node) + "/api/v1/topics/"
                        + TOPIC + "/records")).header("Content-Type", "application/json")
                .header("Idempotency-Key", value).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"acks\":\"all\",\"records\":[{\"partition\":" + partition
                        + ",\"value\":\"" + value + "\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
            acked.get(partition).put(value, JSON.readTree(r.body()).get("offsets").get(0).get("offset").asLong());
        }
        return r;
    }

    private static HttpResponse<String> reassign(int partition, List<Integer> replicas) throws Exception {
        return cluster.send(1, "POST", "/api/v1/cluster/reassignments", "{\"partitions\":[{\"topic\":\"" + TOPIC
                + "\",\"partition\":" + partition + ",\"replicas\":" + replicas + "}]}");
    }

    /** Waits until the move has ended and every node describes the partition with these replicas. */
    private static void awaitReplicas(int partition, List<Integer> replicas) {
        for (int node = 1; node <= 3; node++) {
            int n = node;
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                HttpResponse<String> running = cluster.send(n, "GET", "/api/v1/cluster/reassignments", null);
                assertThat(JSON.readTree(running.body()).get("reassignments")).as("moves running").isEmpty();
                assertThat(ints(details(n, partition).get("replicas"))).as("node %d's describe", n)
                        .isEqualTo(replicas);
            });
        }
    }

    private static void awaitDirect(int node, int partition, boolean direct) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            PartitionStateMachine sm = sm(node, partition);
            assertThat(sm).isNotNull();
            assertThat(sm.direct()).as("partition %d written directly on node %d", partition, node).isEqualTo(direct);
            assertThat(sm.sealing()).isFalse();
        });
    }

    private static PartitionStateMachine sm(int node, int partition) {
        return cluster.context(node).getBean(PartitionViews.class).localStateMachine(TOPIC, partition);
    }

    /** The partition's Raft entries after {@code after} on {@code node} that hold batches. */
    private static List<Long> batchEntriesAfter(int node, int partition, long after) throws Exception {
        return ClusterAsserts.batchEntriesAfter(cluster.context(node).getBean(RaftNode.class)
                .division(PartitionGroups.groupId(registry(node).get(TOPIC), partition)).getRaftLog(), after);
    }

    private static long lastRaftIndex(int node, int partition) {
        RaftServer.Division d = cluster.context(node).getBean(RaftNode.class)
                .division(PartitionGroups.groupId(registry(node).get(TOPIC), partition));
        return d.getRaftLog().getLastEntryTermIndex().getIndex();
    }

    private static TopicRegistry registry(int node) {
        return cluster.context(node).getBean(TopicRegistry.class);
    }

    private static PartitionLog log(int node, int partition) {
        return registry(node).partition(TOPIC, partition);
    }

    private static List<RecordBatch> batches(int node, int partition) {
        PartitionLog log = log(node, partition);
        return log.read(log.logStartOffset(), Integer.MAX_VALUE).batches();
    }

    private static List<Integer> replicas(int node, int partition) throws Exception {
        return ints(details(node, partition).get("replicas"));
    }

    private static JsonNode details(int node, int partition) throws Exception {
        HttpResponse<String> r = cluster.send(node, "GET", "/api/v1/topics/" + TOPIC, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("partitionDetails").get(partition);
    }
}
