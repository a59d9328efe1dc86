package io.tributary.ingest.replication;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.time.Duration;
import java.util.Map;

import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.topic.TopicRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11 item 6: an {@code Idempotency-Key} is remembered by the partitions' replicated state,
 * not by the node that took the request. A retry through another node after the partition leader
 * died, and a retry through a replica restarted from a snapshot taken after the first attempt,
 * get the original offsets and write nothing; reusing the key for another body is refused on a
 * node that never saw the key. On the Raft-entry path ({@code fetch-writes} off), where the keyed batch
 * is a Raft entry that a restart replays and a purge makes a wiped node copy; the Kafka-shape path's
 * counterparts (a new leader knows the keys it fetched, every node restarted before a snapshot) are in
 * {@link FetchWritesClusterTest}.
 */
class IdempotencyKeyClusterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOPIC = "idem";
    private static final int PARTITIONS = 3;
    private static final String KEY = "order-7781";
    /** Three keyless records (one partition, chosen from the key on a cluster) and four keyed ones. */
    private static final String BODY = "{\"records\":[{\"value\":\"k1\"},{\"value\":\"k2\"},{\"value\":\"k3\"},"
            + "{\"key\":\"a\",\"value\":1},{\"key\":\"b\",\"value\":2},{\"key\":\"c\",\"value\":3},"
            + "{\"key\":\"d\",\"value\":4}]}";
    /**
     * Read by each node at start, restarts included (so set until the end): a snapshot every few
     * entries, so the restart case has one to load, and purges, so the wipe case copies.
     */
    private static final Map<String, String> SETTINGS = Map.of("ingest.replication.fetch-writes", "false",
            "ingest.replication.snapshot-threshold", "8",
            // Small Raft segments and purge gap, so a leader really purges and a wiped node is rebuilt by copying.
            "ingest.replication.raft-segment-size", "64KB",
            "ingest.replication.purge-gap", "10");

    private static LoopbackCluster cluster;
    private static Path root;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        SETTINGS.forEach(System::setProperty);
        root = Files.createTempDirectory("ingest-cluster-idem-");
        cluster = new LoopbackCluster(root, 3).startAll();
    }

    @AfterAll
    static void stop() {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            SETTINGS.keySet().forEach(System::clearProperty);
        }
    }

    /** A produce through {@code node}, sent again while it answers 503 (an election); answers the last response. */
    private HttpResponse<String> produce(int node, String key, String body) throws Exception {
        HttpRequest request = produceRequest(node, TOPIC, key, body);
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        for (int attempt = 0; r.statusCode() == 503 && attempt < 60; attempt++) {
            Thread.sleep(500);
            r = http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        return r;
    }

    private static HttpRequest produceRequest(int node, String topic, String key, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cluster.baseUrl(node) + "/api/v1/topics/" + topic
                + "/records")).header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return b.build();
    }

    private static PartitionLog replica(int node, int partition) {
        return cluster.context(node).getBean(TopicRegistry.class).get(TOPIC).partitions().get(partition);
    }

    /** Every running replica of every partition holds exactly {@code expected[p]} records. */
    private static void awaitRecordCounts(long[] expected) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (int node : cluster.running()) {
                for (int p = 0; p < PARTITIONS; p++) {
                    assertThat(replica(node, p).logEndOffset()).as("node %d partition %d", node, p)
                            .isEqualTo(expected[p]);
                }
            }
        });
    }

    /**
     * One more record to every partition through {@code node}, then {@link #awaitRecordCounts}: replicas apply in
     * order, so once they hold it they have applied everything sent before it (a wrong extra write included).
     */
    private void settle(int node, long[] expected) throws Exception {
        HttpResponse<String> r = produce(node, null, "{\"records\":[{\"partition\":0,\"value\":0},"
                + "{\"partition\":1,\"value\":1},{\"partition\":2,\"value\":2}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        for (int p = 0; p < PARTITIONS; p++) {
            expected[p]++;
        }
        awaitRecordCounts(expected);
    }

    private static boolean copiedAndCaughtUp(int node, int partition, long end) {
        try {
            return cluster.context(node).getBean(PartitionViews.class).raftLogStartIndex(TOPIC, partition) > 0
                    && replica(node, partition).logEndOffset() == end;
        } catch (RuntimeException e) {
            return false; // the node does not know the topic yet
        }
    }

    private int leaderOf(int throughNode, int partition) throws Exception {
        JsonNode d = JSON.readTree(cluster.send(throughNode, "GET", "/api/v1/topics/" + TOPIC, null).body());
        return d.get("partitionDetails").get(partition).get("leader").asInt();
    }

    @Test
    void aRetryThroughAnotherNodeAfterALeaderChangeOrARestartIsAnsweredWithTheOriginalOffsets() throws Exception {
        assertThat(cluster.createTopic(1, TOPIC, PARTITIONS, 3).statusCode()).isIn(201, 409);

        HttpResponse<String> first = produce(1, KEY, BODY);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        JsonNode offsets = JSON.readTree(first.body()).get("offsets");
        long[] expected = new long[PARTITIONS];
        for (JsonNode o : offsets) {
            expected[o.get("partition").asInt()]++;
        }
        int keylessPartition = offsets.get(0).get("partition").asInt();
        awaitRecordCounts(expected);

        // 1. The keyless records' partition loses its leader; the retry goes through a node that never saw the key.
        int leader = leaderOf(1, keylessPartition);
        cluster.stop(leader);
        int other = leader == 2 ? 3 : 2;
        HttpResponse<String> retry = produce(other, KEY, BODY);
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
        assertThat(JSON.readTree(retry.body()).get("offsets")).isEqualTo(offsets);
        settle(other, expected);

        // 2. The old leader comes back with an empty node-local memory: another body under the key is refused.
        cluster.start(leader);
        awaitRecordCounts(expected);
        HttpResponse<String> reused = produce(leader, KEY, "{\"records\":[{\"value\":\"other\"}]}");
        assertThat(reused.statusCode()).as(reused.body()).isEqualTo(422);
        assertThat(reused.body()).contains("idempotency-key-reused");
        settle(leader, expected);

        // 3. Enough entries after the keyed one for every replica to snapshot past it; then a replica restarts
        // (it loads the snapshot and replays only the entries after it) and the retry goes through it.
        for (int i = 0; i < 10; i++) {
            settle(1 + i % 3, expected);
        }
        long[] keyedEnd = new long[PARTITIONS];
        for (JsonNode o : offsets) {
            keyedEnd[o.get("partition").asInt()] = Math.max(keyedEnd[o.get("partition").asInt()],
                    o.get("offset").asLong() + 1);
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (int node : cluster.running()) {
                for (int p = 0; p < PARTITIONS; p++) {
                    PartitionStateMachine sm = cluster.context(node).getBean(PartitionViews.class)
                            .localStateMachine(TOPIC, p);
                    assertThat(sm.snapshotPoint()).as("node %d partition %d", node, p).isNotNull();
                    assertThat(sm.snapshotPoint().offset()).isGreaterThanOrEqualTo(keyedEnd[p]);
                }
            }
        });
        int restarted = other;
        cluster.stop(restarted);
        cluster.start(restarted);
        awaitRecordCounts(expected);
        HttpResponse<String> afterRestart = produce(restarted, KEY, BODY);
        assertThat(afterRestart.statusCode()).as(afterRestart.body()).isEqualTo(200);
        assertThat(JSON.readTree(afterRestart.body()).get("offsets")).isEqualTo(offsets);
        // The restarted replica applied that retry too: had it forgotten the key, its log would now be longer.
        settle(1, expected);
        HttpResponse<String> reusedAfterRestart = produce(restarted, KEY, "{\"records\":[{\"value\":\"other\"}]}");
        assertThat(reusedAfterRestart.statusCode()).as(reusedAfterRestart.body()).isEqualTo(422);
        settle(restarted, expected);

        // 4. The keyless partition's leader purges its Raft log past the keyed entry; a node with a wiped disk is
        // rebuilt by copying the leader's log up to its snapshot point, memory of keys included.
        String pad = "p".repeat(1000);
        boolean purged = false;
        for (int round = 0; round < 8 && !purged; round++) {
            for (int i = 0; i < 50; i++) {
                HttpResponse<String> r = produce(1, null, "{\"records\":[{\"partition\":" + keylessPartition
                        + ",\"value\":\"" + pad + "\"}]}");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                expected[keylessPartition]++;
            }
            int leaderNow = leaderOf(1, keylessPartition);
            PartitionViews views = cluster.context(leaderNow).getBean(PartitionViews.class);
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> views.raftLogStartIndex(TOPIC, keylessPartition) > 0);
                purged = true;
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                purged = false;
            }
        }
        assertThat(purged).as("the leader purged its Raft log within 8 rounds of 50 produces").isTrue();
        awaitRecordCounts(expected);
        int leaderNow = leaderOf(1, keylessPartition);
        int wiped = leaderNow == 2 ? 3 : 2;
        cluster.stop(wiped);
        try (var walk = Files.walk(root.resolve("node-" + wiped))) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        // Under its old id on purpose (the copy is what this step is about); without the flag the storage
        // guard refuses an emptied node (ReplicationClusterTest step 7).
        cluster.start(wiped, "--ingest.replication.allow-wiped-rejoin=true");
        // The wiped node rebuilds the partition by copying (its own Raft log then starts after the copied
        // snapshot, not at 0) before the retry, so that it applies the retry itself. New entries make the
        // leader's appender reach it (as in ReplicationClusterTest), so write one at a time until it has
        // caught up; until its metadata group has replayed the create it knows no topic.
        boolean caughtUp = false;
        for (int i = 0; i < 90 && !caughtUp; i++) {
            HttpResponse<String> r = produce(1, null, "{\"records\":[{\"partition\":" + keylessPartition
                    + ",\"value\":\"after-wipe\"}]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            expected[keylessPartition]++;
            caughtUp = copiedAndCaughtUp(wiped, keylessPartition, expected[keylessPartition]);
            if (!caughtUp) {
                Thread.sleep(1000);
            }
        }
        assertThat(caughtUp).as("the wiped node copied the log and caught up").isTrue();
        HttpResponse<String> afterWipe = produce(wiped, KEY, BODY);
        assertThat(afterWipe.statusCode()).as(afterWipe.body()).isEqualTo(200);
        assertThat(JSON.readTree(afterWipe.body()).get("offsets")).isEqualTo(offsets);
        settle(1, expected);
    }

    /**
     * A request that wrote one partition and failed on another (its only replica down: 503) is sent
     * again through another node once that replica is back: the written partition answers its
     * original offsets and only the missing one is written.
     */
    @Test
    void aRetryAfterAPartialWriteWritesOnlyThePartitionsItMissed() throws Exception {
        String topic = "idem-partial";
        assertThat(cluster.createTopic(1, topic, 3, 1).statusCode()).isIn(201, 409);
        JsonNode details = JSON.readTree(cluster.send(1, "GET", "/api/v1/topics/" + topic, null).body())
                .get("partitionDetails");
        int[] host = new int[3];
        for (int p = 0; p < 3; p++) {
            host[p] = details.get(p).get("replicas").get(0).asInt();
        }
        // Written first (partitions go in order): the live one; then the one whose only replica is stopped.
        int live = 0;
        int down = host[1] != host[0] ? 1 : 2;
        assertThat(host[down]).isNotEqualTo(host[live]);
        int via = host[live];
        int other = 6 - host[live] - host[down];
        String body = "{\"records\":[{\"partition\":" + live + ",\"value\":\"a\"},{\"partition\":" + live
                + ",\"value\":\"b\"},{\"partition\":" + down + ",\"value\":\"c\"}]}";
        // Both partitions are served before the fault (their groups have elected).
        await().atMost(Duration.ofSeconds(60)).until(() -> leaderOf(topic, live) == host[live]
                && leaderOf(topic, down) == host[down]);

        cluster.stop(host[down]);
        HttpResponse<String> partial = http.send(produceRequest(via, topic, "partial-1", body),
                HttpResponse.BodyHandlers.ofString());
        assertThat(partial.statusCode()).as(partial.body()).isEqualTo(503);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(cluster.context(host[live]).getBean(TopicRegistry.class).get(topic).partitions().get(live)
                        .logEndOffset()).as("the live partition was written").isEqualTo(2));

        cluster.start(host[down]);
        HttpResponse<String> retry = null;
        for (int attempt = 0; attempt < 60; attempt++) {
            retry = http.send(produceRequest(other, topic, "partial-1", body), HttpResponse.BodyHandlers.ofString());
            if (retry.statusCode() != 503 && retry.statusCode() != 404) {
                break;
            }
            Thread.sleep(500);
        }
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
        JsonNode offsets = JSON.readTree(retry.body()).get("offsets");
        assertThat(offsets.get(0).get("offset").asLong()).isZero();
        assertThat(offsets.get(1).get("offset").asLong()).isEqualTo(1);
        assertThat(offsets.get(2).get("offset").asLong()).isZero();
        // Single replicas apply before they answer: these are final.
        assertThat(cluster.context(host[live]).getBean(TopicRegistry.class).get(topic).partitions().get(live)
                .logEndOffset()).isEqualTo(2);
        assertThat(cluster.context(host[down]).getBean(TopicRegistry.class).get(topic).partitions().get(down)
                .logEndOffset()).isEqualTo(1);
    }

    private int leaderOf(String topic, int partition) throws Exception {
        JsonNode d = JSON.readTree(cluster.send(1, "GET", "/api/v1/topics/" + topic, null).body());
        return d.get("partitionDetails").get(partition).get("leader").asInt();
    }
}
