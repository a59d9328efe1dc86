package io.tributary.ingest.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.Record;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.topic.TopicRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The case topic incarnations exist for: a node is down while a topic is deleted and a topic of
 * the same name is created again and written to, and while another topic is deleted for good.
 * When it comes back it replays both commands in order: it leaves the old partition groups
 * (their Raft storage gone), joins the new ones, and its replicas hold the new incarnation's
 * records only, from offset 0, with no record of the old one; the topic deleted for good is gone
 * from it too. It is then a working member of the new groups: with another node stopped, writes
 * still reach a majority through it.
 */
class TopicRecreatedWhileNodeDownClusterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOPIC = "orders";
    private static final String GONE = "gone";
    private static final int PARTITIONS = 2;
    private static final int DOWN = 3;

    @TempDir
    static Path dataRoot;

    private static LoopbackCluster cluster;

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aNodeBackAfterADeleteAndACreateHoldsOnlyTheNewIncarnation() throws Exception {
        cluster = new LoopbackCluster(dataRoot, 3).startAll();
        assertThat(cluster.createTopic(1, TOPIC, PARTITIONS, 3).statusCode()).isEqualTo(201);
        assertThat(cluster.createTopic(1, GONE, 1, 3).statusCode()).isEqualTo(201);
        for (int i = 0; i < 20; i++) {
            produce(1, TOPIC, "old-" + i, i % PARTITIONS);
        }
        produce(1, GONE, "gone-0", 0);
        await().atMost(WAIT).untilAsserted(() -> {
            for (int p = 0; p < PARTITIONS; p++) {
                assertThat(localValues(DOWN, TOPIC, p)).hasSize(10).allMatch(v -> v.startsWith("old-"));
            }
            assertThat(localValues(DOWN, GONE, 0)).containsExactly("gone-0");
        });
        String oldId = topicId(1, TOPIC);
        List<Path> oldGroups = groupFolders(DOWN, TOPIC);
        List<Path> goneGroups = groupFolders(DOWN, GONE);
        Path goneLog = cluster.context(DOWN).getBean(TopicRegistry.class).partition(GONE, 0).dir();
        assertThat(oldGroups).allMatch(Files::isDirectory);

        cluster.stop(DOWN);
        assertThat(cluster.send(1, "DELETE", "/api/v1/topics/" + TOPIC, null).statusCode()).isEqualTo(204);
        assertThat(cluster.send(2, "DELETE", "/api/v1/topics/" + GONE, null).statusCode()).isEqualTo(204);
        HttpResponse<String> again = cluster.createTopic(2, TOPIC, PARTITIONS, 3);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
        String newId = topicId(2, TOPIC);
        assertThat(newId).isNotEqualTo(oldId);
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            produce(1, TOPIC, "new-" + i, i % PARTITIONS);
            written.add("new-" + i);
        }

        cluster.start(DOWN);
        cluster.awaitReady(DOWN);
        // ignoreExceptions: until it has replayed the create, node 3 does not know the topic at all.
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(topicId(DOWN, TOPIC)).isEqualTo(newId);
            for (int p = 0; p < PARTITIONS; p++) {
                PartitionLog log = cluster.context(DOWN).getBean(TopicRegistry.class).partition(TOPIC, p);
                assertThat(log.logStartOffset()).isZero();
                assertThat(localValues(DOWN, TOPIC, p)).as("node %d's replica of %s-%d", DOWN, TOPIC, p)
                        .containsExactly(p == 0 ? new String[] {"new-0", "new-2", "new-4"}
                                : new String[] {"new-1", "new-3", "new-5"});
            }
            assertThat(cluster.send(DOWN, "GET", "/api/v1/topics/" + GONE, null).statusCode()).isEqualTo(404);
            assertThat(cluster.context(DOWN).getBean(TopicRegistry.class).exists(GONE)).isFalse();
        });
        assertThat(oldGroups).as("the deleted incarnation's Raft storage on node %d", DOWN)
                .noneMatch(Files::exists);
        assertThat(goneGroups).noneMatch(Files::exists);
        assertThat(goneLog).doesNotExist();
        assertThat(groupFolders(DOWN, TOPIC)).allMatch(Files::isDirectory)
                .doesNotContainAnyElementsOf(oldGroups);

        // Node 3 is a working member of the new groups: without node 1, writes need it for a majority.
        cluster.stop(1);
        for (int i = 6; i < 10; i++) {
            produce(2, TOPIC, "new-" + i, i % PARTITIONS);
            written.add("new-" + i);
        }
        await().atMost(WAIT).untilAsserted(() -> {
            List<String> onDown = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                onDown.addAll(localValues(DOWN, TOPIC, p));
            }
            assertThat(onDown).containsExactlyInAnyOrderElementsOf(written);
        });
    }

    /**
     * Produces one record with acks=all, retrying while the partition elects a leader (503). The retries carry the
     * first attempt's Idempotency-Key: a 503 may also mean "written, but not confirmed on enough replicas in time",
     * and a retry of that must not write the record again.
     */
    private static void produce(int node, String topic, String value, int partition) throws Exception {
        String body = "{\"acks\":\"all\",\"records\":[{\"value\":\"" + value + "\",\"partition\":" + partition + "}]}";
        HttpResponse<String> r = cluster.produceKeyedRetrying(node, topic, body, topic + ":" + value, WAIT);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static String topicId(int node, String topic) throws Exception {
        HttpResponse<String> r = cluster.send(node, "GET", "/api/v1/topics/" + topic, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("topicId").asString();
    }

    /** The values in a node's own replica of a partition, in offset order (not through any API). */
    private static List<String> localValues(int node, String topic, int partition) {
        PartitionLog log = cluster.context(node).getBean(TopicRegistry.class).partition(topic, partition);
        List<String> values = new ArrayList<>();
        for (RecordBatch batch : log.read(log.logStartOffset(), Integer.MAX_VALUE).batches()) {
            for (Record r : batch.records()) {
                JsonNode value = JSON.readTree(r.value().utf8());
                values.add(value.asString());
            }
        }
        return values;
    }

    /** The Raft group folders of a topic's partitions on a node, for the incarnation it knows now. */
    private static List<Path> groupFolders(int node, String topic) {
        TopicRegistry registry = cluster.context(node).getBean(TopicRegistry.class);
        List<Path> folders = new ArrayList<>();
        for (int p = 0; p < (topic.equals(GONE) ? 1 : PARTITIONS); p++) {
            folders.add(cluster.dataDir(node).resolve("raft")
                    .resolve(PartitionGroups.groupId(registry.get(topic), p).getUuid().toString()));
        }
        return folders;
    }
}
