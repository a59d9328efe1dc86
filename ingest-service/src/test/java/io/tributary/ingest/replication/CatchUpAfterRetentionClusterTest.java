package io.tributary.ingest.replication;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.topic.TopicRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11 item 5: a node whose disk was wiped catches up from the leader although the leader's
 * retention has deleted its first segments (and its Raft log is purged, so only the copy can get the
 * node there). The rebuilt partition log starts at the leader's log start, holds the same batches
 * at the same offsets, and remembers the idempotent producer whose batches only the deleted
 * segments held: its resend is still a duplicate once the rebuilt node leads. On the Raft-entry write path
 * ({@code fetch-writes} off), where a replica missing purged entries is rebuilt by copy; a fetched partition's
 * follower starts again at the leader's log start through its fetch ({@code FollowerFetchTest}).
 */
class CatchUpAfterRetentionClusterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOPIC = "catchup";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String PAD = "x".repeat(1000);

    private static LoopbackCluster cluster;

    @BeforeAll
    static void start() throws IOException {
        cluster = new LoopbackCluster(Files.createTempDirectory("ingest-cluster-catchup-"), 3,
                "--ingest.replication.fetch-writes=false",
                // Snapshot and purge the partition's Raft log early (only closed Raft segments are purged).
                "--ingest.replication.snapshot-threshold=20",
                "--ingest.replication.raft-segment-size=64KB",
                "--ingest.replication.purge-gap=10",
                // Throttled, so the throttle runs; the copy here is a few hundred KiB.
                "--ingest.replication.copy-rate=1MB",
                "--ingest.maintenance.retention-check-interval=200ms").startAll();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aWipedNodeCatchesUpFromTheLeadersLogStartWithItsProducerState() throws Exception {
        HttpResponse<String> created = cluster.createTopic(1, TOPIC, 1, 3);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(cluster.send(1, "PATCH", "/api/v1/topics/" + TOPIC + "/configs",
                "{\"configs\":{\"segment.bytes\":\"8192\"}}").statusCode()).isEqualTo(200);
        HttpResponse<String> pr = cluster.send(1, "POST", "/api/v1/producers", "{}");
        assertThat(pr.statusCode()).as(pr.body()).isEqualTo(200);
        long producerId = JSON.readTree(pr.body()).get("producerId").asLong();

        // The idempotent producer writes first: its batches will live only in segments retention deletes.
        long[] offsets = new long[6];
        for (int seq = 0; seq < offsets.length; seq++) {
            offsets[seq] = offset(idempotent(1, producerId, seq));
        }
        for (int i = 0; i < 20; i++) {
            plain(1, "a-" + i);
        }
        // Ratis purges its log only up to what every follower has, so the leader purges while all are up.
        int leader = leader(1);
        for (int round = 0; round < 10 && raftLogStart(leader) <= 0; round++) {
            for (int i = 0; i < 50; i++) {
                plain(leader, "b-" + round + "-" + i);
            }
            int l = leader;
            try {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                        .until(() -> raftLogStart(l) > 0);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                leader = leader(1); // another round (through the leader of now)
            }
        }
        assertThat(raftLogStart(leader)).as("the leader purged its Raft log").isGreaterThan(0);
        int wiped = leader == 3 ? 2 : 3;
        cluster.stop(wiped);
        deleteRecursively(cluster.dataDir(wiped));

        // While the node is away, the leader's retention deletes its first segments, past the producer's
        // batches; then retention is off again, so the log start stays where it is.
        setRetentionBytes(leader, "20000");
        PartitionLog leaderLog = replica(leader);
        int l = leader;
        for (int round = 0; round < 10 && leaderLog.logStartOffset() <= offsets[5]; round++) {
            for (int i = 0; i < 30; i++) {
                plain(l, "c-" + round + "-" + i);
            }
            try {
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200))
                        .until(() -> leaderLog.logStartOffset() > offsets[5]);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // another round
            }
        }
        assertThat(leaderLog.logStartOffset()).as("the leader's retention deleted the first segments")
                .isGreaterThan(offsets[5]);
        setRetentionBytes(leader, null);
        long leaderStart = leaderLog.logStartOffset();

        // Under its old id on purpose (the copy is what this test is about); without the flag the
        // storage guard refuses an emptied node (ReplicationClusterTest step 7).
        // Configured with another offsets-topic partition count than the cluster's: an emptied node creating the topic
        // again takes the cluster's count, so groups are placed alike on every node.
        cluster.start(wiped, "--ingest.replication.allow-wiped-rejoin=true", "--ingest.groups.offsets-topic-partitions=7");
        assertThat(cluster.context(wiped).getBean(TopicRegistry.class).get("__consumer_offsets").partitions())
                .hasSize(cluster.context(leader).getBean(TopicRegistry.class).get("__consumer_offsets").partitions().size())
                .hasSize(4);
        for (int i = 0; i < 5; i++) {
            plain(leader, "d-" + i);
        }
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            PartitionLog rebuilt = replica(wiped);
            assertThat(rebuilt.logStartOffset()).isEqualTo(leaderStart);
            assertThat(rebuilt.logEndOffset()).isEqualTo(leaderLog.logEndOffset());
            assertSameBatches(batches(leaderLog), batches(rebuilt));
        });
        assertThat(leaderLog.logStartOffset()).as("retention off: the leader's start did not move").isEqualTo(leaderStart);
        assertThat(replica(wiped).lastSequence(producerId)).isEqualTo(5).isEqualTo(leaderLog.lastSequence(producerId));
        Counter copied = cluster.context(wiped).getBean(MeterRegistry.class).find("ingest.replication.copy.bytes")
                .counter();
        assertThat(copied).isNotNull();
        assertThat(copied.count()).isGreaterThan(0);

        // The rebuilt node leads: the producer's resends are duplicates with their original offsets.
        makeLeader(wiped);
        long end = replica(wiped).logEndOffset();
        assertThat(offset(idempotent(wiped, producerId, 5))).isEqualTo(offsets[5]);
        assertThat(offset(idempotent(wiped, producerId, 3))).isEqualTo(offsets[3]);
        assertThat(replica(wiped).logEndOffset()).isEqualTo(end);
        assertThat(offset(idempotent(wiped, producerId, 6))).isEqualTo(end);
        for (int node : cluster.running()) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(replica(node).logEndOffset()).isEqualTo(end + 1));
        }
    }

    // --- helpers

    private static void assertSameBatches(List<RecordBatch> expected, List<RecordBatch> actual) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i).baseOffset()).isEqualTo(expected.get(i).baseOffset());
            assertThat(actual.get(i).copyBytes()).isEqualTo(expected.get(i).copyBytes());
        }
    }

    /** Stops the current leader and starts it again until {@code node} leads (each time 1 in 2). */
    private static void makeLeader(int node) throws Exception {
        for (int attempt = 0; attempt < 8; attempt++) {
            await().atMost(WAIT).ignoreExceptions().until(() -> leader(node) > 0);
            int current = leader(node);
            if (current == node) {
                return;
            }
            cluster.stop(current);
            await().atMost(WAIT).ignoreExceptions().until(() -> leader(node) > 0 && leader(node) != current);
            cluster.start(current);
        }
        assertThat(leader(node)).as("node %s leads after 8 leader stops", node).isEqualTo(node);
    }

    private static void setRetentionBytes(int node, String value) throws Exception {
        String json = value == null ? "null" : "\"" + value + "\"";
        HttpResponse<String> r = cluster.send(node, "PATCH", "/api/v1/topics/" + TOPIC + "/configs",
                "{\"configs\":{\"retention.bytes\":" + json + "}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        for (int n : cluster.running()) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(replica(n).config().retentionBytes())
                    .isEqualTo(value == null ? -1 : Long.parseLong(value)));
        }
    }

    private static int leader(int via) throws Exception {
        HttpResponse<String> r = cluster.send(via, "GET", "/api/v1/topics/" + TOPIC, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("partitionDetails").get(0).get("leader").asInt();
    }

    private static long raftLogStart(int node) {
        return cluster.context(node).getBean(PartitionViews.class).raftLogStartIndex(TOPIC, 0);
    }

    private static PartitionLog replica(int node) {
        return cluster.context(node).getBean(TopicRegistry.class).partition(TOPIC, 0);
    }

    private static List<RecordBatch> batches(PartitionLog log) {
        return new ArrayList<>(log.read(log.logStartOffset(), Integer.MAX_VALUE).batches());
    }

    private static HttpResponse<String> idempotent(int node, long producerId, long sequence) throws Exception {
        return produce(node, "{\"producerId\":" + producerId + ",\"producerEpoch\":0,\"baseSequence\":" + sequence
                + ",\"acks\":\"all\",\"records\":[{\"value\":\"p-" + sequence + "-" + PAD + "\"}]}");
    }

    private static void plain(int node, String value) throws Exception {
        offset(produce(node, "{\"acks\":\"all\",\"records\":[{\"value\":\"" + value + "-" + PAD + "\"}]}"));
    }

    /** Retries 503 (an election); the same body again is safe (idempotent or a test-only duplicate). */
    private static HttpResponse<String> produce(int node, String body) throws Exception {
        HttpResponse<String> r = cluster.send(node, "POST", "/api/v1/topics/" + TOPIC + "/records", body);
        for (int attempt = 0; r.statusCode() == 503 && attempt < 30; attempt++) {
            Thread.sleep(1000);
            r = cluster.send(node, "POST", "/api/v1/topics/" + TOPIC + "/records", body);
        }
        return r;
    }

    private static long offset(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        return body.get("offsets").get(0).get("offset").asLong();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
