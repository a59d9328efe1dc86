package io.tributary.ingest.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.tributary.ingest.IngestApplication;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.testing.LocalResources;
import io.tributary.ingest.topic.TopicPartition;
import io.tributary.ingest.topic.TopicRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Three ingest nodes in one JVM (three Spring contexts, each with its own HTTP port, Raft port
 * and data folder, all with the same peer list) on 127.0.0.1. The steps share the cluster and
 * run in order: replicate, lose the leader, bring it back, lose a majority.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicationClusterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String TOPIC = "orders";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dataRoot;

    private static final int[] httpPorts = new int[4];
    private static final int[] raftPorts = new int[4];
    private static String peers;
    private static final Map<Integer, ConfigurableApplicationContext> nodes = new HashMap<>();
    /** Every acknowledged record: value -> offset, in acknowledgement order. */
    private static final Map<String, Long> acked = new LinkedHashMap<>();
    private static int killedLeader;
    private static String deletedCfgGroup;
    private static String recreatedCfgId;

    @BeforeAll
    static void startCluster() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int id = 1; id <= 3; id++) {
            httpPorts[id] = LocalResources.freePort();
            raftPorts[id] = LocalResources.freePort();
            sb.append(sb.isEmpty() ? "" : ",").append(id).append("=127.0.0.1:").append(httpPorts[id]).append(':')
                    .append(raftPorts[id]);
        }
        peers = sb.toString();
        // One after the other (Spring Boot's startup is not meant to run concurrently in one JVM);
        // a node's startup does not wait for the others, elections happen once a majority is up.
        for (int id = 1; id <= 3; id++) {
            start(id);
        }
        assertThat(nodes).hasSize(3);
        // A new node joins once a peer confirmed its empty folder is new (StorageGuard): ready then.
        for (int id = 1; id <= 3; id++) {
            int node = id;
            await().atMost(WAIT).ignoreExceptions().until(() -> HTTP.send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + httpPorts[node] + "/actuator/health/readiness")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        }
    }

    @AfterAll
    static void stopCluster() {
        new ArrayList<>(nodes.keySet()).forEach(ReplicationClusterTest::stop);
    }

    private static void start(int id, String... more) {
        // Command-line arguments: they win over application.yml (builder properties would not).
        List<String> args = new ArrayList<>(List.of(
                "--server.port=" + httpPorts[id],
                "--server.address=127.0.0.1",
                "--server.shutdown=immediate",
                "--ingest.data-dir=" + dataRoot.resolve("node-" + id),
                "--ingest.node-id=" + id,
                "--ingest.cluster.peers=" + peers,
                "--ingest.replication.election-timeout=1s",
                "--ingest.replication.request-timeout=8s",
                "--ingest.replication.snapshot-threshold=50",
                // Small Raft segments and purge gap, so the leaders really purge their Raft logs
                // (only closed segments are purged) and a wiped node must be rebuilt by copying.
                "--ingest.replication.raft-segment-size=64KB",
                "--ingest.replication.purge-gap=10",
                // A stopped node keeps no final snapshot, so its restart replays entries its log
                // already holds, as after a crash.
                "--ingest.replication.snapshot-on-stop=false",
                "--spring.jmx.enabled=false",
                "--springdoc.api-docs.enabled=false",
                "--logging.level.org.apache.ratis=WARN"));
        args.addAll(List.of(more));
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(IngestApplication.class)
                .run(args.toArray(String[]::new));
        synchronized (nodes) {
            nodes.put(id, ctx);
        }
    }

    private static void stop(int id) {
        ConfigurableApplicationContext ctx;
        synchronized (nodes) {
            ctx = nodes.remove(id);
        }
        if (ctx != null) {
            ctx.close();
        }
    }

    @Test
    @Order(1)
    void acknowledgedWritesAreReplicatedInTheSameOrderToEveryNode() throws Exception {
        HttpResponse<String> created = post(1, "/api/v1/topics",
                "{\"name\":\"" + TOPIC + "\",\"partitions\":1,\"replicationFactor\":3}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(post(2, "/api/v1/topics", "{\"name\":\"" + TOPIC + "\",\"partitions\":1,\"replicationFactor\":3}")
                .statusCode()).isEqualTo(409);

        for (int i = 0; i < 40; i++) {
            produceOrFail(1, "a-" + i);
        }
        assertThat(new ArrayList<>(acked.values())).isSorted();
        for (int id = 1; id <= 3; id++) {
            int node = id;
            await().atMost(WAIT).untilAsserted(() -> assertThat(readAll(node)).isEqualTo(acked));
        }

        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode p = describe(2).get("partitionDetails").get(0);
            assertThat(p.get("leader").asInt()).isBetween(1, 3);
            assertThat(ints(p.get("replicas"))).containsExactly(1, 2, 3);
            assertThat(ints(p.get("inSyncReplicas"))).containsExactly(1, 2, 3);
            assertThat(p.get("highWatermark").asLong()).isEqualTo(40);
        });
        // Every node gives the topic the same id (it comes with the create command).
        String topicId = describe(1).get("topicId").asString();
        assertThat(topicId).matches("[A-Za-z0-9_-]{22}");
        for (int id = 2; id <= 3; id++) {
            assertThat(describe(id).get("topicId").asString()).isEqualTo(topicId);
        }
        System.out.println("[replication] describe from node 2: " + describe(2).get("partitionDetails"));
    }

    @Test
    @Order(2)
    void partitionsLiveOnTheirReplicasAndAnyNodeAcceptsProduces() throws Exception {
        HttpResponse<String> created = post(3, "/api/v1/topics",
                "{\"name\":\"spread\",\"partitions\":3,\"replicationFactor\":2}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        // Placement: partition p on 2 consecutive members from p: [1,2], [2,3], [3,1].
        int[][] replicas = {{1, 2}, {2, 3}, {3, 1}};
        int[] outsider = {3, 1, 2};
        for (int p = 0; p < 3; p++) {
            HttpResponse<String> r = post(outsider[p], "/api/v1/topics/spread/records",
                    "{\"records\":[{\"value\":\"s-" + p + "\",\"partition\":" + p + "}]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(JSON.readTree(r.body()).get("offsets").get(0).get("offset").asLong()).isZero();
        }
        for (int p = 0; p < 3; p++) {
            int partition = p;
            for (int node : replicas[p]) {
                await().atMost(WAIT).untilAsserted(() -> {
                    HttpResponse<String> r = get(node, "/api/v1/topics/spread/partitions/" + partition
                            + "/records?offset=0");
                    assertThat(JSON.readTree(r.body()).get("records").get(0).get("value").asString())
                            .isEqualTo("s-" + partition);
                });
            }
            // The outsider hosts no replica: its read is forwarded to one that does.
            HttpResponse<String> viaOutsider = get(outsider[p], "/api/v1/topics/spread/partitions/" + p
                    + "/records?offset=0");
            assertThat(JSON.readTree(viaOutsider.body()).get("records").get(0).get("value").asString())
                    .isEqualTo("s-" + p);
            JsonNode d = describe(outsider[p], "spread").get("partitionDetails").get(p);
            assertThat(ints(d.get("replicas"))).containsExactly(replicas[p][0], replicas[p][1]);
            assertThat(d.get("leader").asInt()).isIn(replicas[p][0], replicas[p][1]);
        }
    }

    @Test
    @Order(2)
    void aNodeKeepsNoLogOfAPartitionItHostsNoReplicaOf() throws Exception {
        HttpResponse<String> created = post(1, "/api/v1/topics",
                "{\"name\":\"solo\",\"partitions\":3,\"replicationFactor\":1}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        for (int id = 1; id <= 3; id++) {
            TopicRegistry registry = nodes.get(id).getBean(TopicRegistry.class);
            await().atMost(WAIT).until(() -> registry.exists("solo"));
        }
        // Placement with replication factor 1: partition p lives on member p + 1 alone.
        for (int p = 0; p < 3; p++) {
            int host = p + 1;
            int outsider = host % 3 + 1;
            int other = outsider % 3 + 1;
            for (int id = 1; id <= 3; id++) {
                Path dir = dataRoot.resolve("node-" + id).resolve("logs").resolve(new TopicPartition("solo", p).dirName());
                assertThat(Files.exists(dir)).as("node %d holds a directory of solo-%d", id, p).isEqualTo(id == host);
            }
            HttpResponse<String> produced = post(outsider, "/api/v1/topics/solo/records",
                    "{\"records\":[{\"value\":\"solo-" + p + "\",\"partition\":" + p + "}]}");
            assertThat(produced.statusCode()).as(produced.body()).isEqualTo(200);
            HttpResponse<String> read = get(other, "/api/v1/topics/solo/partitions/" + p + "/records?offset=0");
            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
            assertThat(JSON.readTree(read.body()).get("records").get(0).get("value").asString()).isEqualTo("solo-" + p);
            // A request needing the local log of a partition hosted elsewhere is told so, retriably.
            int partition = p;
            TopicRegistry outsiderTopics = nodes.get(outsider).getBean(TopicRegistry.class);
            assertThat(outsiderTopics.get("solo").hosts(p)).isFalse();
            assertThatThrownBy(() -> outsiderTopics.partition("solo", partition))
                    .isInstanceOfSatisfying(ProblemException.class, e -> {
                        assertThat(e.type()).isEqualTo(ProblemType.PARTITION_NOT_HOSTED);
                        assertThat(e.type().retriable()).isTrue();
                    });
        }
    }

    @Test
    @Order(3)
    void producerIdentitiesAreHandedOutClusterWide() throws Exception {
        java.util.Set<Long> anonymous = new java.util.HashSet<>();
        long entriesBefore = metadataLogEnd();
        for (int i = 0; i < 60; i++) {
            HttpResponse<String> r = post(1 + i % 3, "/api/v1/producers", "{}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(anonymous.add(JSON.readTree(r.body()).get("producerId").asLong()))
                    .as("producer id %s handed out twice", r.body()).isTrue();
        }
        // Anonymous ids come from each node's block: one metadata entry per node, not one per id.
        await().atMost(WAIT).untilAsserted(() -> assertThat(metadataLogEnd() - entriesBefore)
                .as("metadata entries for 60 anonymous producers").isBetween(3L, 6L));
        // A block id works as any producer id: a resend of its batch is a duplicate with the first offset.
        long blockId = anonymous.iterator().next();
        String batch = "{\"producerId\":" + blockId + ",\"producerEpoch\":0,\"baseSequence\":0,"
                + "\"records\":[{\"value\":\"b\",\"partition\":0}]}";
        HttpResponse<String> once = post(1, "/api/v1/topics/spread/records", batch);
        assertThat(once.statusCode()).as(once.body()).isEqualTo(200);
        HttpResponse<String> twice = post(2, "/api/v1/topics/spread/records", batch);
        assertThat(twice.statusCode()).as(twice.body()).isEqualTo(200);
        assertThat(JSON.readTree(twice.body()).get("offsets").get(0).get("offset").asLong())
                .isEqualTo(JSON.readTree(once.body()).get("offsets").get(0).get("offset").asLong());
        // A name keeps its id and its epoch goes up, whichever node is asked.
        long id = -1;
        for (int node = 1; node <= 3; node++) {
            JsonNode identity = JSON.readTree(post(node, "/api/v1/producers", "{\"name\":\"pipe-0\"}").body());
            if (id < 0) {
                id = identity.get("producerId").asLong();
            }
            assertThat(identity.get("producerId").asLong()).isEqualTo(id);
            assertThat(identity.get("producerEpoch").asInt()).isEqualTo(node - 1);
        }
        assertThat(anonymous).doesNotContain(id);
        // An older epoch is fenced on any node, not only on the one that handed out the newest.
        for (int node = 1; node <= 3; node++) {
            int n = node;
            long named = id;
            await().atMost(WAIT).untilAsserted(() -> assertThat(nodes.get(n)
                    .getBean(io.tributary.ingest.produce.ProducerIds.class).latestEpoch(named)).isEqualTo((short) 2));
            HttpResponse<String> fenced = post(node, "/api/v1/topics/spread/records", "{\"producerId\":" + id
                    + ",\"producerEpoch\":1,\"baseSequence\":0,\"records\":[{\"value\":\"z\",\"partition\":0}]}");
            assertThat(fenced.statusCode()).as(fenced.body()).isEqualTo(409);
            assertThat(JSON.readTree(fenced.body()).get("type").asString()).endsWith("producer-fenced");
        }
    }

    /** The last index of the metadata group's Raft log on node 1. */
    private long metadataLogEnd() {
        return nodes.get(1).getBean(RaftNode.class).division(PartitionGroups.METADATA_GROUP).getRaftLog()
                .getLastEntryTermIndex().getIndex();
    }

    @Test
    @Order(4)
    void configChangesAndDeletesGoThroughTheMetadataGroupToEveryNode() throws Exception {
        HttpResponse<String> created = post(1, "/api/v1/topics",
                "{\"name\":\"cfg\",\"partitions\":1,\"replicationFactor\":3}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(post(2, "/api/v1/topics/cfg/records", "{\"records\":[{\"value\":\"x\"}]}").statusCode())
                .isEqualTo(200);

        HttpResponse<String> changed = patch(2, "/api/v1/topics/cfg/configs",
                "{\"configs\":{\"retention.ms\":\"3600000\"}}");
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        assertThat(JSON.readTree(changed.body()).get("configs").get("retention.ms").asString()).isEqualTo("3600000");
        for (int node = 1; node <= 3; node++) {
            int n = node;
            await().atMost(WAIT).untilAsserted(() -> assertThat(describe(n, "cfg").get("configs").path("retention.ms")
                    .asString()).isEqualTo("3600000"));
        }
        HttpResponse<String> reset = patch(3, "/api/v1/topics/cfg/configs", "{\"configs\":{\"retention.ms\":null}}");
        assertThat(reset.statusCode()).as(reset.body()).isEqualTo(200);
        for (int node = 1; node <= 3; node++) {
            int n = node;
            await().atMost(WAIT).untilAsserted(() -> assertThat(describe(n, "cfg").get("configs").has("retention.ms"))
                    .isFalse());
        }
        assertThat(patch(1, "/api/v1/topics/cfg/configs", "{\"configs\":{\"no.such.key\":\"1\"}}").statusCode())
                .isEqualTo(400);
        assertThat(patch(1, "/api/v1/topics/cfg/configs", "{\"configs\":{\"retention.ms\":\"soon\"}}").statusCode())
                .isEqualTo(400);
        assertThat(patch(1, "/api/v1/topics/nope/configs", "{\"configs\":{\"retention.ms\":\"1000\"}}").statusCode())
                .isEqualTo(404);

        String groupDir = PartitionGroups.groupId(nodes.get(1).getBean(TopicRegistry.class).get("cfg"), 0)
                .getUuid().toString();
        deletedCfgGroup = groupDir;
        String deletedId = describe(1, "cfg").get("topicId").asString();
        for (int node = 1; node <= 3; node++) {
            assertThat(dataRoot.resolve("node-" + node).resolve("raft").resolve(groupDir)).isDirectory();
        }
        HttpResponse<String> deleted = delete(3, "/api/v1/topics/cfg");
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
        for (int node = 1; node <= 3; node++) {
            int n = node;
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(get(n, "/api/v1/topics/cfg").statusCode()).isEqualTo(404);
                // The node left the partition's Raft group and deleted its Raft storage.
                assertThat(dataRoot.resolve("node-" + n).resolve("raft").resolve(groupDir)).doesNotExist();
            });
        }
        assertThat(delete(1, "/api/v1/topics/cfg").statusCode()).isEqualTo(404);
        // The name can be created again: a new incarnation, new partition groups, an empty log.
        HttpResponse<String> again = post(2, "/api/v1/topics", "{\"name\":\"cfg\",\"partitions\":1,"
                + "\"replicationFactor\":3}");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
        HttpResponse<String> first = post(3, "/api/v1/topics/cfg/records", "{\"records\":[{\"value\":\"y\"}]}");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(JSON.readTree(first.body()).get("offsets").get(0).get("offset").asLong()).isZero();
        String newGroupDir = PartitionGroups.groupId(nodes.get(2).getBean(TopicRegistry.class).get("cfg"), 0)
                .getUuid().toString();
        assertThat(newGroupDir).isNotEqualTo(groupDir);
        // A new incarnation, a new topic id: the same on every node, not the deleted one's.
        recreatedCfgId = describe(2, "cfg").get("topicId").asString();
        assertThat(recreatedCfgId).matches("[A-Za-z0-9_-]{22}").isNotEqualTo(deletedId);
        for (int node = 1; node <= 3; node++) {
            int n = node;
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(describe(n, "cfg").get("topicId").asString()).isEqualTo(recreatedCfgId));
        }
        for (int node = 1; node <= 3; node++) {
            int n = node;
            await().atMost(WAIT).untilAsserted(() -> {
                HttpResponse<String> r = get(n, "/api/v1/topics/cfg/partitions/0/records?offset=0");
                JsonNode records = JSON.readTree(r.body()).get("records");
                assertThat(records).hasSize(1);
                assertThat(records.get(0).get("value").asString()).isEqualTo("y");
                assertThat(dataRoot.resolve("node-" + n).resolve("raft").resolve(newGroupDir)).isDirectory();
                assertThat(dataRoot.resolve("node-" + n).resolve("raft").resolve(groupDir)).doesNotExist();
            });
        }
        // The other topics are untouched.
        assertThat(readAll(1)).containsAllEntriesOf(acked);
    }

    @Test
    @Order(5)
    void losingTheLeaderLosesNoAcknowledgedWriteAndProducingResumes() throws Exception {
        int leader = leader();
        int survivor = leader == 1 ? 2 : 1;
        killedLeader = leader;
        AtomicBoolean killed = new AtomicBoolean();
        long[] killedAt = new long[1];
        long firstAckAfterKill = -1;
        int failures = 0;
        int ackedAfterKill = 0;
        for (int i = 0; ackedAfterKill < 20; i++) {
            if (i == 20) {
                killedAt[0] = System.nanoTime();
                stop(leader);
                killed.set(true);
            }
            long sentAt = System.nanoTime();
            HttpResponse<String> r = produce(survivor, "b-" + i);
            if (r.statusCode() == 200) {
                record("b-" + i, r);
                if (killed.get()) {
                    ackedAfterKill++;
                    if (firstAckAfterKill < 0 && sentAt >= killedAt[0]) {
                        firstAckAfterKill = System.nanoTime();
                    }
                }
            } else {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
                assertThat(JSON.readTree(r.body()).get("retriable").asBoolean()).isTrue();
                failures++;
            }
            assertThat(failures).as("produce attempts refused after the kill").isLessThan(20);
        }
        double failoverMs = (firstAckAfterKill - killedAt[0]) / 1e6;
        System.out.printf("[replication] leader %d killed; first acknowledged produce through node %d after %.0f ms "
                + "(%d requests refused meanwhile)%n", leader, survivor, failoverMs, failures);

        for (int id = 1; id <= 3; id++) {
            if (id == leader) {
                continue;
            }
            int node = id;
            await().atMost(WAIT).untilAsserted(() -> {
                Map<String, Long> all = readAll(node);
                // Every acknowledged record exactly once, at the offset it was acknowledged with;
                // a refused request may or may not have been committed, but never twice.
                assertThat(all).containsAllEntriesOf(acked);
                assertThat(new ArrayList<>(all.values())).isSorted();
            });
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(leader()).isNotEqualTo(leader).isPositive());
    }

    @Test
    @Order(6)
    void aRestartedNodeCatchesUpBatchForBatch() throws Exception {
        start(killedLeader);
        // Its metadata replay does not resurrect the deleted incarnation of "cfg", nor re-create its group.
        assertThat(dataRoot.resolve("node-" + killedLeader).resolve("raft").resolve(deletedCfgGroup)).doesNotExist();
        HttpResponse<String> cfg = get(killedLeader, "/api/v1/topics/cfg/partitions/0/records?offset=0");
        assertThat(JSON.readTree(cfg.body()).get("records")).singleElement()
                .satisfies(r -> assertThat(r.get("value").asString()).isEqualTo("y"));
        assertThat(describe(killedLeader, "cfg").get("topicId").asString()).as("the id survives a restart")
                .isEqualTo(recreatedCfgId);
        for (int i = 0; i < 10; i++) {
            produceOrFail(killedLeader, "c-" + i);
        }
        int leader = leader();
        await().atMost(WAIT).untilAsserted(() -> {
            List<RecordBatch> expected = batches(leader);
            List<RecordBatch> actual = batches(killedLeader);
            assertThat(actual).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                assertThat(actual.get(i).storedCrc()).isEqualTo(expected.get(i).storedCrc());
                assertThat(actual.get(i).copyBytes()).isEqualTo(expected.get(i).copyBytes());
            }
        });
        assertThat(readAll(killedLeader)).containsAllEntriesOf(acked);
        System.out.println("[replication] node " + killedLeader + " caught up: " + batches(killedLeader).size()
                + " batches identical to leader " + leader + "'s");
    }

    @Test
    @Order(7)
    void aNodeWithAWipedDiskIsRebuiltFromTheOthers() throws Exception {
        // ~1 KiB values: enough entries to close Raft segments, snapshot and purge. The purge point is
        // Ratis's (snapshot index, bounded by every peer's commit index as this server knows it), so
        // produce in rounds until the leader's Raft log no longer starts at 0.
        String pad = "p".repeat(1000);
        int leaderNow = leader();
        // Written by its leader and fetched (the default): few Raft entries, so no purge to wait for; the wiped
        // node replays the group's entries and fetches the batches from the leader's log.
        boolean fetched = nodes.get(leaderNow).getBean(PartitionViews.class).localStateMachine(TOPIC, 0).fetched();
        boolean purged = false;
        for (int round = 0; round < 6 && !purged; round++) {
            for (int i = 0; i < 50; i++) {
                produceOrFail(1, "w-" + round + "-" + i + "-" + pad);
            }
            leaderNow = leader();
            if (fetched) {
                break;
            }
            PartitionViews leaderRs = nodes.get(leaderNow).getBean(PartitionViews.class);
            try {
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                        .until(() -> leaderRs.raftLogStartIndex(TOPIC, 0) > 0);
                purged = true;
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                purged = false;
            }
        }
        int leader = leaderNow;
        System.out.println("[replication] leader " + leader + " Raft log starts at "
                + nodes.get(leader).getBean(PartitionViews.class).raftLogStartIndex(TOPIC, 0));
        // Preferably the node restarted in step 4 (the case that once hung in the metadata group).
        int wiped = killedLeader != leader ? killedLeader : leader == 3 ? 2 : 3;
        stop(wiped);
        deleteRecursively(dataRoot.resolve("node-" + wiped));
        // Under its old id, the empty node is refused (StorageGuard): it may have counted in majorities
        // for entries it no longer has. It joins no group and is not ready; the others go on without it.
        for (int attempt = 1; attempt <= 2; attempt++) {
            start(wiped);
            await().atMost(WAIT).untilAsserted(() -> assertRefusedAsWiped(wiped));
            assertThat(nodes.get(wiped).getBean(RaftNode.class).division(PartitionGroups.METADATA_GROUP)).isNull();
            produceOrFail(leader, "while-" + wiped + "-refused-" + attempt);
            // a refused folder gets no storage id, so it is refused at its next start as well
            stop(wiped);
        }
        // Let in on purpose (ingest.replication.allow-wiped-rejoin), it rejoins and is rebuilt by copy.
        start(wiped, "--ingest.replication.allow-wiped-rejoin=true");
        // Through the leader, never the wiped node (it may be node 1): until its metadata group has
        // replayed the creates it knows no topic and answers 404.
        for (int i = 0; i < 5; i++) {
            produceOrFail(leader, "after-wipe-" + i);
        }
        // ignoreExceptions: the wiped node knows no topic until its metadata group replayed the creates.
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            List<RecordBatch> expected = batches(leader);
            List<RecordBatch> actual = batches(wiped);
            assertThat(actual).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                assertThat(actual.get(i).storedCrc()).isEqualTo(expected.get(i).storedCrc());
                assertThat(actual.get(i).copyBytes()).isEqualTo(expected.get(i).copyBytes());
            }
        });
        // The leader purged: the wiped node got there by copying the partition log (its own Raft log
        // starts after the copied snapshot, or holds no entry yet when that snapshot covered the leader's
        // last one), not by a replay of the whole Raft log.
        if (!fetched) {
            assertThat(purged).as("the leader purged its Raft log within 6 rounds of 50 produces").isTrue();
            org.apache.ratis.server.raftlog.RaftLog rebuilt = nodes.get(wiped).getBean(RaftNode.class)
                    .division(PartitionGroups.groupId(nodes.get(wiped).getBean(TopicRegistry.class).get(TOPIC), 0))
                    .getRaftLog();
            long rebuiltStart = rebuilt.getStartIndex();
            assertThat(rebuiltStart > 0 || rebuiltStart == org.apache.ratis.server.raftlog.RaftLog.INVALID_LOG_INDEX
                    && rebuilt.getSnapshotIndex() > 0).as("Raft log start %d, snapshot index %d", rebuiltStart,
                    rebuilt.getSnapshotIndex()).isTrue();
        }
        assertThat(readAll(wiped)).containsAllEntriesOf(acked);
        // Its metadata replay passes the deleted incarnation of "cfg" first, then the re-created one.
        await().atMost(WAIT).untilAsserted(() -> assertThat(describe(wiped, "cfg").get("topicId").asString())
                .as("the replayed create carries the id").isEqualTo(recreatedCfgId));
        System.out.println("[replication] wiped node " + wiped + " rebuilt: " + batches(wiped).size()
                + " batches identical to leader " + leader + "'s");
    }

    /** The node reports the storage guard's refusal: not ready, and the reason in its health. */
    private static void assertRefusedAsWiped(int node) throws Exception {
        HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts[node]
                + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(503);
        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts[node] + "/actuator/health"))
                .build(), HttpResponse.BodyHandlers.ofString());
        JsonNode storage = JSON.readTree(health.body()).path("components").path("storage");
        assertThat(storage.path("status").asString()).isEqualTo("DOWN");
        assertThat(storage.path("details").path("refused").asString()).contains("knows node " + node + " as a member");
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var walk = java.nio.file.Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    @Order(8)
    void aMajorityKeepsAcknowledgingAndAMinorityNeverDoes() throws Exception {
        stop(3);
        await().atMost(WAIT).untilAsserted(() -> assertThat(leader()).isIn(1, 2));
        for (int i = 0; i < 5; i++) {
            produceOrFail(1, "d-" + i);
        }
        // Written by its leader, a follower learns the high watermark with its next fetch (Kafka's followers do
        // too): node 1 may not know yet that d-4 is acknowledged. Cut off from its majority it serves only what
        // it knows to be final (docs/replication.md, "When the leader cannot confirm in time"), so it must have
        // heard before node 2 stops.
        long acknowledgedEnd = acked.values().stream().mapToLong(Long::longValue).max().orElseThrow() + 1;
        PartitionLog onNode1 = nodes.get(1).getBean(TopicRegistry.class).partition(TOPIC, 0);
        await().atMost(WAIT).until(() -> onNode1.highWatermark() >= acknowledgedEnd);
        stop(2);
        HttpResponse<String> r = produce(1, "e-0");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).get().asString().contains("application/problem+json");
        JsonNode problem = JSON.readTree(r.body());
        assertThat(problem.get("retriable").asBoolean()).isTrue();
        System.out.println("[replication] with two of three nodes down: " + r.statusCode() + " " + r.body());
        assertThat(readAll(1)).containsAllEntriesOf(acked);
        if (!nodes.get(1).getBean(PartitionViews.class).localStateMachine(TOPIC, 0).fetched()) {
            // As a Raft entry it was never committed. Written by its leader it was appended there, and once the
            // in-sync set is that leader alone its high watermark passes it: readable although not acknowledged
            // (Kafka's NOT_ENOUGH_REPLICAS_AFTER_APPEND; docs/replication.md "What an acknowledgement means").
            assertThat(readAll(1)).doesNotContainKey("e-0");
        }
    }

    // --- helpers

    private static int leader() throws Exception {
        int any = nodes.keySet().iterator().next();
        return describe(any).get("partitionDetails").get(0).get("leader").asInt();
    }

    private static List<RecordBatch> batches(int node) {
        PartitionLog log = nodes.get(node).getBean(TopicRegistry.class).partition(TOPIC, 0);
        return log.read(log.logStartOffset(), Integer.MAX_VALUE).batches();
    }

    private static void produceOrFail(int node, String value) throws Exception {
        HttpResponse<String> r = produce(node, value);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        record(value, r);
    }

    private static void record(String value, HttpResponse<String> r) {
        long offset = JSON.readTree(r.body()).get("offsets").get(0).get("offset").asLong();
        acked.put(value, offset);
    }

    private static HttpResponse<String> produce(int node, String value) throws Exception {
        return post(node, "/api/v1/topics/" + TOPIC + "/records",
                "{\"acks\":\"all\",\"records\":[{\"value\":\"" + value + "\"}]}");
    }

    private static Map<String, Long> readAll(int node) throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        long offset = 0;
        while (true) {
            HttpResponse<String> r = get(node, "/api/v1/topics/" + TOPIC + "/partitions/0/records?offset=" + offset
                    + "&maxRecords=10000");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(r.body());
            for (JsonNode rec : body.get("records")) {
                Long previous = out.put(rec.get("value").asString(), rec.get("offset").asLong());
                assertThat(previous).as("value %s stored twice", rec.get("value")).isNull();
            }
            long next = body.get("nextOffset").asLong();
            if (next >= body.get("highWatermark").asLong() || next == offset) {
                return out;
            }
            offset = next;
        }
    }

    private static JsonNode describe(int node) throws Exception {
        return describe(node, TOPIC);
    }

    private static JsonNode describe(int node, String topic) throws Exception {
        HttpResponse<String> r = get(node, "/api/v1/topics/" + topic);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    private static HttpResponse<String> post(int node, String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts[node] + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> patch(int node, String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts[node] + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> delete(int node, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts[node] + path))
                .timeout(Duration.ofSeconds(30)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(int node, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts[node] + path))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
