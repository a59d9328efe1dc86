package io.tributary.ingest.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.tributary.ingest.group.GroupHttp.Answer;
import io.tributary.ingest.replication.LoopbackCluster;
import io.tributary.ingest.topic.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Consumer groups on a 3-node cluster (three Spring contexts on loopback): one coordinator per
 * group whichever node a member talks to, committed offsets replicated through Raft, and a
 * group that survives the loss of its coordinator's node. The steps share the cluster and run
 * in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterGroupsTest {

    private static final String TOPIC = "events";
    private static final String GROUP = "billing";
    private static final int RECORDS_PER_PARTITION = 12;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dataRoot;

    private static LoopbackCluster cluster;
    /** The two members' ids and generations as last answered; index 0 = A, 1 = B. */
    private static final String[] memberIds = new String[2];
    private static final Map<TopicPartition, Long> committed = new HashMap<>();
    private static int killed;
    /** Member A after it rejoined on the survivors. */
    private static String rejoinedA;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new LoopbackCluster(dataRoot, 3).startAll();
        Answer created = api(1).send("POST", "/api/v1/topics",
                "{\"name\":\"" + TOPIC + "\",\"partitions\":2,\"replicationFactor\":3}");
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        for (int p = 0; p < 2; p++) {
            StringBuilder records = new StringBuilder();
            for (int i = 0; i < RECORDS_PER_PARTITION; i++) {
                records.append(i == 0 ? "" : ",").append("{\"value\":{\"i\":").append(i).append("},\"partition\":")
                        .append(p).append('}');
            }
            Answer produced = api(1).send("POST", "/api/v1/topics/" + TOPIC + "/records",
                    "{\"records\":[" + records + "]}");
            assertThat(produced.status()).as(produced.body().toString()).isEqualTo(200);
        }
        // Polls read the coordinator's replica: wait until every replica holds the records.
        for (int node = 1; node <= 3; node++) {
            int n = node;
            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode partitions = api(n).send("GET", "/api/v1/topics/" + TOPIC, null).body()
                        .get("partitionDetails");
                for (JsonNode p : partitions) {
                    assertThat(p.get("highWatermark").asLong()).isEqualTo(RECORDS_PER_PARTITION);
                }
            });
        }
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void membersTalkingToDifferentNodesFormOneGroup() {
        Answer a = join(1);
        Answer b = join(2);
        assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
        assertThat(b.status()).as(b.body().toString()).isEqualTo(200);
        memberIds[0] = a.body().get("memberId").asString();
        memberIds[1] = b.body().get("memberId").asString();

        // A asks a third node: same group, B's join moved it to B's generation.
        Answer aNow = api(3).send("POST", memberPath(memberIds[0]) + "/heartbeat", null);
        assertThat(aNow.status()).as(aNow.body().toString()).isEqualTo(200);
        int generation = b.body().get("generation").asInt();
        assertThat(aNow.body().get("generation").asInt()).isEqualTo(generation);
        Set<TopicPartition> ofA = partitions(aNow.body());
        Set<TopicPartition> ofB = partitions(b.body());
        assertThat(ofA).hasSize(1).doesNotContainAnyElementsOf(ofB);
        assertThat(ofB).hasSize(1);

        for (int node = 1; node <= 3; node++) {
            JsonNode group = api(node).send("GET", "/api/v1/groups/" + GROUP, null).body();
            assertThat(group.get("generation").asInt()).isEqualTo(generation);
            assertThat(group.get("members")).hasSize(2);
            JsonNode listed = api(node).send("GET", "/api/v1/groups", null).body().get("groups");
            assertThat(listed).anySatisfy(g -> {
                assertThat(g.get("group").asString()).isEqualTo(GROUP);
                assertThat(g.get("members").asInt()).isEqualTo(2);
            });
        }
    }

    @Test
    @Order(2)
    void offsetsCommittedThroughOneNodeAreReadThroughEveryNode() {
        Answer a = api(2).send("POST", memberPath(memberIds[0]) + "/heartbeat", null);
        Answer b = api(3).send("POST", memberPath(memberIds[1]) + "/heartbeat", null);
        int generation = a.body().get("generation").asInt();
        TopicPartition ofA = partitions(a.body()).iterator().next();
        TopicPartition ofB = partitions(b.body()).iterator().next();

        Answer commitA = api(3).commit(GROUP, memberIds[0], generation, ofA.topic(), ofA.partition(), 7);
        assertThat(commitA.status()).as(commitA.body().toString()).isEqualTo(204);
        Answer commitB = api(1).commit(GROUP, memberIds[1], generation, ofB.topic(), ofB.partition(), 4);
        assertThat(commitB.status()).as(commitB.body().toString()).isEqualTo(204);
        committed.put(ofA, 7L);
        committed.put(ofB, 4L);

        // A stale generation is refused whichever node takes the commit, as problem+json.
        Answer stale = api(2).commit(GROUP, memberIds[0], generation - 1, ofA.topic(), ofA.partition(), 9);
        assertThat(stale.status()).isEqualTo(409);
        assertThat(stale.contentType()).contains("application/problem+json");
        assertThat(stale.body().get("type").asString()).endsWith("rebalance-in-progress");

        for (int node = 1; node <= 3; node++) {
            assertThat(committedOffsets(node)).isEqualTo(committed);
            // Not only forwarded: every node's own view of the replicated offsets topic has them.
            OffsetStore store = cluster.context(node).getBean(OffsetStore.class);
            await().atMost(WAIT).untilAsserted(() -> assertThat(offsets(store)).isEqualTo(committed));
        }
    }

    @Test
    @Order(3)
    void partitionsTheCoordinatorHostsNoReplicaOfAreReadFromTheirReplicas() {
        // Replication factor 1: partition p lives on node p + 1 only.
        Answer created = api(1).send("POST", "/api/v1/topics",
                "{\"name\":\"sparse\",\"partitions\":3,\"replicationFactor\":1}");
        assertThat(created.status()).as(created.body().toString()).isEqualTo(201);
        for (int p = 0; p < 3; p++) {
            StringBuilder records = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                records.append(i == 0 ? "" : ",").append("{\"value\":\"").append(p).append('-').append(i)
                        .append("\",\"partition\":").append(p).append('}');
            }
            Answer produced = api(1).send("POST", "/api/v1/topics/sparse/records", "{\"records\":[" + records + "]}");
            assertThat(produced.status()).as(produced.body().toString()).isEqualTo(200);
        }
        String group = "sparse-readers";
        Answer joined = api(2).send("POST", "/api/v1/groups/" + group + "/members",
                "{\"topics\":[\"sparse\"],\"sessionTimeoutMs\":60000,\"autoOffsetReset\":\"earliest\"}");
        assertThat(joined.status()).as(joined.body().toString()).isEqualTo(200);
        String member = joined.body().get("memberId").asString();
        assertThat(cluster.context(1).getBean(GroupPlacement.class).coordinator(group)).isBetween(1, 3);

        Map<Integer, List<String>> values = new HashMap<>();
        await().atMost(WAIT).untilAsserted(() -> {
            Answer polled = api(3).poll(group, member, 500);
            assertThat(polled.status()).as(polled.body().toString()).isEqualTo(200);
            for (JsonNode r : polled.body().get("records")) {
                List<String> got = values.computeIfAbsent(r.get("partition").asInt(), p -> new ArrayList<>());
                assertThat(r.get("offset").asLong()).isEqualTo(got.size());
                got.add(r.get("value").asString());
            }
            assertThat(values.values().stream().mapToInt(List::size).sum()).isEqualTo(15);
        });
        for (int p = 0; p < 3; p++) {
            assertThat(values.get(p)).containsExactly(p + "-0", p + "-1", p + "-2", p + "-3", p + "-4");
        }
        Answer commit = api(1).send("POST", "/api/v1/groups/" + group + "/offsets", "{\"memberId\":\"" + member
                + "\",\"generation\":" + joined.body().get("generation").asInt() + ",\"offsets\":["
                + "{\"topic\":\"sparse\",\"partition\":0,\"offset\":5},{\"topic\":\"sparse\",\"partition\":1,\"offset\":3},"
                + "{\"topic\":\"sparse\",\"partition\":2,\"offset\":5}]}");
        assertThat(commit.status()).as(commit.body().toString()).isEqualTo(204);
        // Lag from each partition's own replica, wherever the coordinator is.
        JsonNode offsets = api(2).send("GET", "/api/v1/groups/" + group, null).body().get("offsets");
        assertThat(offsets).hasSize(3).allSatisfy(o -> assertThat(o.get("logEndOffset").asLong()).isEqualTo(5));
        assertThat(offsets).anySatisfy(o -> {
            assertThat(o.get("partition").asInt()).isEqualTo(1);
            assertThat(o.get("lag").asLong()).isEqualTo(2);
        });
        assertThat(api(3).send("DELETE", "/api/v1/groups/" + group + "/members/" + member, null).status())
                .isEqualTo(204);
    }

    @Test
    @Order(4)
    void losingTheCoordinatorsNodeKeepsTheOffsetsAndTheGroupResumesOnTheSurvivors() {
        killed = cluster.context(1).getBean(GroupPlacement.class).coordinator(GROUP);
        assertThat(killed).isBetween(1, 3);
        List<Integer> survivors = new ArrayList<>(List.of(1, 2, 3));
        survivors.remove(Integer.valueOf(killed));
        long killedAt = System.nanoTime();
        cluster.stop(killed);

        // The committed offsets are there on the survivors as soon as a new coordinator is ready.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(committedOffsets(survivors.get(0))).isEqualTo(committed));
        long offsetsBackAt = System.nanoTime();
        assertThat(committedOffsets(survivors.get(1))).isEqualTo(committed);

        // Membership lived on the dead coordinator: members are unknown and rejoin.
        Answer old = api(survivors.get(0)).send("POST", memberPath(memberIds[0]) + "/heartbeat", null);
        assertThat(old.status()).as(old.body().toString()).isEqualTo(404);
        assertThat(old.body().get("type").asString()).endsWith("unknown-member");

        String a = join(survivors.get(0)).body().get("memberId").asString();
        rejoinedA = a;
        String b = join(survivors.get(1)).body().get("memberId").asString();
        Map<TopicPartition, Long> firstOffsets = new HashMap<>();
        await().atMost(WAIT).untilAsserted(() -> {
            pollFirstOffsets(survivors.get(1), a, firstOffsets);
            pollFirstOffsets(survivors.get(0), b, firstOffsets);
            assertThat(firstOffsets).hasSize(2);
        });
        long consumingAt = System.nanoTime();
        // Each partition restarts exactly at its committed offset.
        assertThat(firstOffsets).isEqualTo(committed);
        System.out.printf("[groups] coordinator node %d stopped; committed offsets readable through node %d after "
                        + "%.0f ms, both members rejoined and consuming after %.0f ms%n", killed, survivors.get(0),
                (offsetsBackAt - killedAt) / 1e6, (consumingAt - killedAt) / 1e6);

        // And commits work again, through either survivor.
        Answer aNow = api(survivors.get(1)).send("POST", memberPath(a) + "/heartbeat", null);
        TopicPartition ofA = partitions(aNow.body()).iterator().next();
        Answer commit = api(survivors.get(1)).commit(GROUP, a, aNow.body().get("generation").asInt(), ofA.topic(),
                ofA.partition(), 10);
        assertThat(commit.status()).as(commit.body().toString()).isEqualTo(204);
        committed.put(ofA, 10L);
        assertThat(committedOffsets(survivors.get(0))).isEqualTo(committed);
    }

    @Test
    @Order(5)
    void aRestartedNodeCatchesUpWithTheCommittedOffsets() {
        cluster.start(killed);
        OffsetStore store = cluster.context(killed).getBean(OffsetStore.class);
        await().atMost(WAIT).untilAsserted(() -> assertThat(offsets(store)).isEqualTo(committed));
        assertThat(committedOffsets(killed)).isEqualTo(committed);
    }

    @Test
    @Order(6)
    void aCoordinatorCutOffFromTheMajorityCannotAcknowledgeACommit() {
        int coordinator = cluster.context(killed).getBean(GroupPlacement.class).coordinator(GROUP);
        assertThat(coordinator).isBetween(1, 3);
        Answer a = api(coordinator).send("POST", memberPath(rejoinedA) + "/heartbeat", null);
        assertThat(a.status()).as(a.body().toString()).isEqualTo(200);
        TopicPartition tp = partitions(a.body()).iterator().next();
        for (int node = 1; node <= 3; node++) {
            if (node != coordinator) {
                cluster.stop(node);
            }
        }
        // Still the leader as far as it knows (503 not-enough-replicas once the commit times out), or
        // already stepped down (503 coordinator-not-available): never acknowledged.
        Answer refused = api(coordinator).commit(GROUP, rejoinedA, a.body().get("generation").asInt(), tp.topic(),
                tp.partition(), 11);
        assertThat(refused.status()).as(refused.body().toString()).isEqualTo(503);
        assertThat(refused.contentType()).contains("application/problem+json");
        assertThat(refused.body().get("retriable").asBoolean()).isTrue();
        assertThat(offsets(cluster.context(coordinator).getBean(OffsetStore.class))).isEqualTo(committed);
    }

    // --- helpers

    private static GroupHttp api(int node) {
        return new GroupHttp(cluster.baseUrl(node));
    }

    private static Answer join(int node) {
        return api(node).send("POST", "/api/v1/groups/" + GROUP + "/members",
                "{\"topics\":[\"" + TOPIC + "\"],\"sessionTimeoutMs\":60000,\"autoOffsetReset\":\"earliest\"}");
    }

    private static String memberPath(String memberId) {
        return "/api/v1/groups/" + GROUP + "/members/" + memberId;
    }

    private static Set<TopicPartition> partitions(JsonNode membership) {
        Set<TopicPartition> out = new HashSet<>();
        for (JsonNode p : membership.get("assignments")) {
            out.add(new TopicPartition(p.get("topic").asString(), p.get("partition").asInt()));
        }
        return out;
    }

    /** The group's committed offsets as {@code GET /api/v1/groups/{group}} through a node shows them. */
    private static Map<TopicPartition, Long> committedOffsets(int node) {
        Answer described = api(node).send("GET", "/api/v1/groups/" + GROUP, null);
        assertThat(described.status()).as(described.body().toString()).isEqualTo(200);
        Map<TopicPartition, Long> out = new HashMap<>();
        for (JsonNode o : described.body().get("offsets")) {
            out.put(new TopicPartition(o.get("topic").asString(), o.get("partition").asInt()),
                    o.get("committedOffset").asLong());
        }
        return out;
    }

    private static Map<TopicPartition, Long> offsets(OffsetStore store) {
        Map<TopicPartition, Long> out = new HashMap<>();
        store.committed(GROUP).forEach((tp, c) -> out.put(tp, c.offset()));
        return out;
    }

    /** Polls once; remembers the first offset seen per partition. */
    private static void pollFirstOffsets(int node, String memberId, Map<TopicPartition, Long> firstOffsets) {
        Answer polled = api(node).poll(GROUP, memberId, 500);
        assertThat(polled.status()).as(polled.body().toString()).isEqualTo(200);
        for (JsonNode r : polled.body().get("records")) {
            firstOffsets.putIfAbsent(new TopicPartition(r.get("topic").asString(), r.get("partition").asInt()),
                    r.get("offset").asLong());
        }
    }
}
