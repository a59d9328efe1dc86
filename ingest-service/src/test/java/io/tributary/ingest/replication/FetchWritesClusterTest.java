package io.tributary.ingest.replication;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Partitions of three replicas written the Kafka way ({@code ingest.replication.fetch-writes}):
 * the leader appends, the followers fetch over the replication listener, a produce is acknowledged
 * once every replica holds it. Three in-JVM nodes: every acknowledged record is read back through
 * every node right after its produce (read your writes), no batch costs a Raft entry, every
 * replica ends up with the same stored batches, and after the leader of a partition stops and
 * comes back (a new leader, a new epoch) the same holds. A stopped follower leaves the in-sync set,
 * so produces go on, and joins it again once it caught up.
 */
class FetchWritesClusterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOPIC = "fetched";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static LoopbackCluster cluster;
    /** Per partition: value -> offset of every acknowledged record. */
    private static final List<Map<String, Long>> acked = List.of(new ConcurrentHashMap<>(), new ConcurrentHashMap<>(),
            new ConcurrentHashMap<>());

    @BeforeAll
    static void start() throws Exception {
        Path root = Files.createTempDirectory("ingest-cluster-fetch-");
        cluster = new LoopbackCluster(root, 3, "--ingest.replication.fetch-writes=true").startAll();
        assertThat(cluster.createTopic(1, TOPIC, 3, 3).statusCode()).isEqualTo(201);
        for (int node = 1; node <= 3; node++) {
            for (int p = 0; p < 3; p++) {
                int n = node;
                int partition = p;
                await().atMost(WAIT).ignoreExceptions().until(() -> sm(n, partition).fetched());
            }
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void acknowledgedRecordsAreOnEveryReplicaReadableEverywhereAndCostNoRaftEntry() throws Exception {
        long[] raftEntriesBefore = new long[3];
        long[] termBefore = new long[3];
        for (int p = 0; p < 3; p++) {
            int leader = leaderOf(p);
            raftEntriesBefore[p] = lastRaftIndex(leader, p);
            termBefore[p] = term(leader, p);
        }
        for (int i = 0; i < 90; i++) {
            int through = 1 + i % 3;
            int partition = (i / 3) % 3;
            String value = "first-" + i;
            long offset = produceOrFail(through, partition, value);
            // Read your writes through the other two nodes, at once.
            for (int other = 1; other <= 3; other++) {
                if (other != through) {
                    assertThat(readAt(other, partition, offset)).as("record %s through node %d", value, other)
                            .isEqualTo(value);
                }
            }
        }
        for (int p = 0; p < 3; p++) {
            int leader = leaderOf(p);
            assertNoBatchEntries(leader, p, raftEntriesBefore[p], term(leader, p) != termBefore[p]);
        }
        assertSameBatchesOnEveryReplicaHoldingTheAcknowledgedRecords();
    }

    /**
     * Replication factor 2 on three nodes: one node holds no replica and forwards its produces to the leader,
     * from the very first one (it cannot know the partition switched to fetched writes; its Raft entry is refused
     * and it asks the replicas who leads). Every produce, through every node and racing the switch, is answered
     * 200 (no key, so a 503 could not be retried safely), and every record is read back once, at its offset,
     * through every node.
     */
    @Test
    void aNodeWithoutAReplicaForwardsToTheLeaderFromTheFirstProduceOn() throws Exception {
        String topic = "pairs";
        assertThat(cluster.createTopic(1, topic, 1, 2).statusCode()).isEqualTo(201);
        Map<String, Long> offsets = new LinkedHashMap<>();
        for (int i = 0; i < 45; i++) {
            int through = 1 + i % 3;
            HttpResponse<String> r = cluster.send(through, "POST", "/api/v1/topics/" + topic + "/records",
                    "{\"acks\":\"all\",\"records\":[{\"value\":\"p-" + i + "\"}]}");
            assertThat(r.statusCode()).as("produce %d through node %d: %s", i, through, r.body()).isEqualTo(200);
            offsets.put("p-" + i, JSON.readTree(r.body()).get("offsets").get(0).get("offset").asLong());
        }
        List<Integer> hosts = cluster.running().stream()
                .filter(n -> registry(n).get(topic).hosts(0)).toList();
        assertThat(hosts).hasSize(2);
        for (int n : hosts) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(registry(n).partition(topic, 0).logEndOffset())
                    .isEqualTo(45));
            // The switch comes from the leader's driver (every 500 ms): the produces may all have been taken before.
            await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.context(n).getBean(PartitionViews.class)
                    .localStateMachine(topic, 0).fetched())
                    .as("node %d's replica is written by its leader and fetched", n).isTrue());
        }
        for (int node : cluster.running()) {
            HttpResponse<String> r = cluster.send(node, "GET", "/api/v1/topics/" + topic
                    + "/partitions/0/records?offset=0&maxRecords=100", null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            Map<String, Long> read = new LinkedHashMap<>();
            for (JsonNode record : JSON.readTree(r.body()).get("records")) {
                assertThat(read.put(record.get("value").asString(), record.get("offset").asLong()))
                        .as("read twice through node %d", node).isNull();
            }
            assertThat(read).as("through node %d", node).isEqualTo(offsets);
        }
    }

    @Test
    void aLeaderThatStopsAndComesBackFollowsTheNewLeader() throws Exception {
        int leader = leaderOf(0);
        long epochBefore = term(leader, 0);
        for (int i = 0; i < 10; i++) {
            produceOrFail(1 + i % 3, 0, "before-stop-" + i);
        }
        cluster.stop(leader);
        cluster.start(leader);
        cluster.awaitReady(leader);
        for (int i = 0; i < 30; i++) {
            produceOrFail(1 + i % 3, i % 3, "after-restart-" + i);
        }
        int now = leaderOf(0);
        assertThat(term(now, 0)).as("a new leader epoch").isGreaterThan(epochBefore);
        assertSameBatchesOnEveryReplicaHoldingTheAcknowledgedRecords();
    }

    @Test
    void aStoppedFollowerLeavesTheInSyncSetComesBackOnceCaughtUpAndANewLeaderComesFromTheSetAndKnowsItsKeys()
            throws Exception {
        int leader = leaderOf(1);
        int follower = leader % 3 + 1;
        cluster.stop(follower);
        // acks=all goes on once the leader drops the follower (ingest.replication.in-sync-lag, 5 s): no 503.
        List<Integer> without = new ArrayList<>(List.of(1, 2, 3));
        without.remove(Integer.valueOf(follower));
        for (int i = 0; i < 20; i++) {
            int through = without.get(i % 2);
            long offset = produceOrFail(through, 1, "follower-down-" + i);
            assertThat(readAt(without.get((i + 1) % 2), 1, offset)).isEqualTo("follower-down-" + i);
        }
        for (int node : cluster.running()) {
            assertThat(sm(node, 1).inSyncReplicas()).as("in-sync set recorded on node %d", node).isEqualTo(without);
        }
        assertThat(describedInSync(leader, 1)).isEqualTo(without);

        cluster.start(follower);
        cluster.awaitReady(follower);
        await().atMost(WAIT).untilAsserted(() -> {
            for (int node = 1; node <= 3; node++) {
                assertThat(sm(node, 1).inSyncReplicas()).as("node %d", node).isEqualTo(List.of(1, 2, 3));
            }
        });
        for (int i = 0; i < 10; i++) {
            produceOrFail(1 + i % 3, 1, "follower-back-" + i);
        }
        // The old leader stops: the new one comes from the in-sync set and holds every acknowledged record.
        cluster.stop(leader);
        List<Integer> others = new ArrayList<>(List.of(1, 2, 3));
        others.remove(Integer.valueOf(leader));
        for (int i = 0; i < 10; i++) {
            produceOrFail(others.get(i % 2), 1, "leader-down-" + i);
        }
        int now = leaderOf(1);
        assertThat(now).isNotEqualTo(leader);
        // A retry of a request the old leader acknowledged is answered by the new one with the same
        // offsets, not written again: the Idempotency-Key entries came beside the fetched batches.
        for (int i = 0; i < 10; i++) {
            String value = "follower-back-" + i;
            long first = acked.get(1).get(value);
            assertThat(produceOrFail(others.get(i % 2), 1, value)).as("retry of %s", value).isEqualTo(first);
        }
        cluster.start(leader);
        cluster.awaitReady(leader);
        assertSameBatchesOnEveryReplicaHoldingTheAcknowledgedRecords();
    }

    /**
     * No Raft entry carries a key on this path and a replica snapshots its key memory at most every 10 s: the keys
     * learnt since (by the leader that appended, by the followers that fetched) come back from each replica's
     * journal. Every node stops right after the produces and starts again; each retry, through every node, is
     * answered with its first offsets and writes nothing.
     */
    @Test
    void keysLearntSinceTheLastSnapshotSurviveARestartOfEveryNode() throws Exception {
        Map<String, Long> first = new LinkedHashMap<>();
        for (int i = 0; i < 12; i++) {
            String value = "restart-all-" + i;
            first.put(value, produceOrFail(1 + i % 3, 2, value));
        }
        long end = first.values().stream().mapToLong(Long::longValue).max().orElseThrow() + 1;
        await().atMost(WAIT).untilAsserted(() -> {
            for (int node = 1; node <= 3; node++) {
                assertThat(log(node, 2).logEndOffset()).as("node %d", node).isEqualTo(end);
            }
        });
        for (int node = 1; node <= 3; node++) {
            cluster.stop(node);
        }
        for (int node = 1; node <= 3; node++) {
            cluster.start(node);
        }
        for (int node = 1; node <= 3; node++) {
            cluster.awaitReady(node);
        }
        int i = 0;
        for (Map.Entry<String, Long> e : first.entrySet()) {
            int through = 1 + i++ % 3;
            assertThat(produceOrFail(through, 2, e.getKey())).as("retry of %s through node %d", e.getKey(), through)
                    .isEqualTo(e.getValue());
        }
        for (int node = 1; node <= 3; node++) {
            assertThat(log(node, 2).logEndOffset()).as("nothing written again on node %d", node).isEqualTo(end);
        }
        assertSameBatchesOnEveryReplicaHoldingTheAcknowledgedRecords();
        // The tests after this one start from a settled cluster: every replica back in every in-sync set.
        await().atMost(WAIT).untilAsserted(() -> {
            for (int node = 1; node <= 3; node++) {
                for (int p = 0; p < 3; p++) {
                    List<Integer> inSync = sm(node, p).inSyncReplicas();
                    assertThat(inSync == null ? List.of(1, 2, 3) : inSync).as("node %d partition %d", node, p)
                            .isEqualTo(List.of(1, 2, 3));
                }
            }
        });
    }

    /**
     * A batch of several megabytes produced through a follower reaches its leader whole: the replication listener
     * that takes forwarded batches accepts frames of a produce body's size (it closed the connection over 1 MiB).
     */
    @Test
    void aBatchOfSeveralMegabytesProducedThroughAFollowerIsForwardedWhole() throws Exception {
        int partition = 0;
        int through = leaderOf(partition) % 3 + 1;
        String value = "large-" + "v".repeat(3 << 20);
        HttpResponse<String> r = cluster.send(through, "POST", "/api/v1/topics/" + TOPIC + "/records",
                "{\"acks\":\"all\",\"records\":[{\"partition\":" + partition + ",\"value\":\"" + value + "\"}]}");
        assertThat(r.statusCode()).as("3 MiB through node %d: %s", through, r.body().length() > 300
                ? r.body().substring(0, 300) : r.body()).isEqualTo(200);
        long offset = JSON.readTree(r.body()).get("offsets").get(0).get("offset").asLong();
        for (int node = 1; node <= 3; node++) {
            assertThat(readAt(node, partition, offset)).as("the record through node %d", node).isEqualTo(value);
        }
    }

    /**
     * Records that cost no Raft entry still reach every replica's snapshot: keyed records (the key memory changes,
     * so a snapshot is due 10 s after the last), then every replica's snapshot point passes them. Ratis takes no
     * snapshot at the index of its last one, so without an entry after it (the leader writes one when due) the
     * key journal would grow and a restart start from an old point for as long as the writes go on.
     */
    @Test
    void everyReplicaSnapshotsRecordsThatCostNoRaftEntry() throws Exception {
        int partition = 1;
        long end = 0;
        for (int i = 0; i < 6; i++) {
            end = Math.max(end, produceOrFail(1 + i % 3, partition, "snapshotted-" + i) + 1);
        }
        long written = end;
        await().atMost(WAIT).untilAsserted(() -> {
            for (int node = 1; node <= 3; node++) {
                PartitionStateMachine.SnapshotPoint point = sm(node, partition).snapshotPoint();
                assertThat(point).as("node %d's snapshot", node).isNotNull();
                assertThat(point.offset()).as("node %d's snapshot point", node).isGreaterThanOrEqualTo(written);
            }
        });
    }

    // --- helpers -----------------------------------------------------------------------------

    /** The in-sync replicas of a partition as describe shows them through {@code node}. */
    private static List<Integer> describedInSync(int node, int partition) throws Exception {
        HttpResponse<String> r = cluster.send(node, "GET", "/api/v1/topics/" + TOPIC, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<Integer> out = new ArrayList<>();
        JSON.readTree(r.body()).get("partitionDetails").get(partition).get("inSyncReplicas").forEach(n -> out.add(n.asInt()));
        return out;
    }


    /** Every node's replica of every partition holds the same stored batches, and every acknowledged record. */
    private static void assertSameBatchesOnEveryReplicaHoldingTheAcknowledgedRecords() throws Exception {
        for (int p = 0; p < 3; p++) {
            int partition = p;
            await().atMost(WAIT).untilAsserted(() -> {
                long end = log(1, partition).logEndOffset();
                for (int node = 1; node <= 3; node++) {
                    assertThat(log(node, partition).logEndOffset()).as("node %d partition %d", node, partition)
                            .isEqualTo(end);
                    assertThat(log(node, partition).highWatermark()).isEqualTo(end);
                }
            });
            List<ByteBuffer> first = stored(1, partition);
            for (int node = 2; node <= 3; node++) {
                assertThat(stored(node, partition)).as("node %d partition %d", node, partition)
                        .containsExactlyElementsOf(first);
            }
            for (int node = 1; node <= 3; node++) {
                Map<String, Long> read = new java.util.HashMap<>();
                for (JsonNode rec : ClusterAsserts.readPartition(cluster, node, TOPIC, partition)) {
                    assertThat(read.put(rec.get("value").asString(), rec.get("offset").asLong()))
                            .as("read twice through node %d", node).isNull();
                }
                assertThat(read).as("partition %d through node %d", partition, node)
                        .containsAllEntriesOf(acked.get(partition));
            }
        }
    }

    /** One record through {@code node}, retried while answered 503 (an election, a replica coming back). */
    private static long produceOrFail(int node, int partition, String value) throws Exception {
        HttpResponse<String> r = produce(node, partition, value);
        for (int attempt = 0; r.statusCode() == 503 && attempt < 60; attempt++) {
            Thread.sleep(500); // the key makes the retry safe
            r = produce(node, partition, value);
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        long offset = JSON.readTree(r.body()).get("offsets").get(0).get("offset").asLong();
        acked.get(partition).put(value, offset);
        return offset;
    }

    private static HttpResponse<String> produce(int node, int partition, String value) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(cluster.baseUrl(node) + "/api/v1/topics/" + TOPIC
                        + "/records")).header("Content-Type", "application/json").header("Idempotency-Key", value)
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"acks\":\"all\",\"records\":[{\"partition\":" + partition
                        + ",\"value\":\"" + value + "\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the record at {@code offset}, read through {@code node}. */
    private static String readAt(int node, int partition, long offset) throws Exception {
        HttpResponse<String> r = cluster.send(node, "GET", "/api/v1/topics/" + TOPIC + "/partitions/" + partition
                + "/records?offset=" + offset + "&maxRecords=1", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode records = JSON.readTree(r.body()).get("records");
        return records.isEmpty() ? null : records.get(0).get("value").asString();
    }

    private static int leaderOf(int partition) throws Exception {
        return await().atMost(WAIT).ignoreExceptions().until(() -> {
            for (int node : cluster.running()) {
                RaftServer.Division d = division(node, partition);
                if (d != null && d.getInfo().isLeader() && d.getInfo().isLeaderReady()) {
                    return node;
                }
            }
            return -1;
        }, n -> n > 0);
    }

    private static long term(int node, int partition) {
        return division(node, partition).getInfo().getCurrentTerm();
    }

    private static RaftServer.Division division(int node, int partition) {
        return cluster.context(node).getBean(RaftNode.class)
                .division(PartitionGroups.groupId(registry(node).get(TOPIC), partition));
    }

    /**
     * The Raft entries of the partition after {@code after} are control entries (an in-sync set change under
     * load, a mode switch), not one per batch. A batch may still reach the Raft log as a refused entry: one that
     * went as a Raft entry while its route changed (a forward reaching a node that had just stopped leading, a
     * lead not ready yet) is refused by every replica as written directly, nothing appended, and routed again
     * (the batches themselves are checked once each by
     * {@link #assertSameBatchesOnEveryReplicaHoldingTheAcknowledgedRecords}).
     * So none while one leader led throughout, and at most a few when the lead changed meanwhile (on a loaded
     * machine a stalled node lost every lead at once during this test).
     */
    private static void assertNoBatchEntries(int node, int partition, long after, boolean leaderChanged)
            throws Exception {
        long last = lastRaftIndex(node, partition);
        List<Long> batchEntries = ClusterAsserts.batchEntriesAfter(division(node, partition).getRaftLog(), after);
        if (!batchEntries.isEmpty()) {
            System.out.printf("[fetch-writes] partition %d: Raft entries %s held a batch (refused, routed again)%n",
                    partition, batchEntries);
        }
        assertThat(batchEntries).as("Raft entries of partition %d holding a batch, of 30 batches (leader changed: %b)",
                partition, leaderChanged).hasSizeLessThanOrEqualTo(leaderChanged ? 3 : 0);
        assertThat(last - after).as("Raft entries of partition %d for 30 batches", partition).isLessThan(30);
    }

    private static long lastRaftIndex(int node, int partition) {
        return division(node, partition).getRaftLog().getLastEntryTermIndex().getIndex();
    }

    private static PartitionStateMachine sm(int node, int partition) {
        return cluster.context(node).getBean(PartitionViews.class).localStateMachine(TOPIC, partition);
    }

    private static TopicRegistry registry(int node) {
        return cluster.context(node).getBean(TopicRegistry.class);
    }

    private static PartitionLog log(int node, int partition) {
        return registry(node).partition(TOPIC, partition);
    }

    /** Every stored batch of a node's replica below its high watermark, as bytes. */
    private static List<ByteBuffer> stored(int node, int partition) {
        PartitionLog log = log(node, partition);
        List<ByteBuffer> out = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.highWatermark()) {
            for (RecordBatch b : log.read(next, 1 << 20).batches()) {
                if (b.nextOffset() > next) {
                    out.add(ByteBuffer.wrap(b.copyBytes()));
                    next = b.nextOffset();
                }
            }
        }
        return out;
    }
}
