package io.tributary.ingest.replication;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.tributary.ingest.topic.TopicRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@code GET /api/v1/cluster} on three in-JVM nodes: every node lists the three members UP and the
 * leaders of a topic's partitions once each, as describe shows them; a node whose replica failed in
 * storage is DOWN with that replica listed, on every node; once it stops, the survivors report it
 * unreachable and its partitions led by survivors.
 */
class ClusterViewClusterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOPIC = "cv";
    private static final int PARTITIONS = 3;

    private static LoopbackCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new LoopbackCluster(Files.createTempDirectory("ingest-cluster-view-"), 3).startAll();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyNodeShowsTheMembersTheirHealthAndTheLeaders() throws Exception {
        HttpResponse<String> created = cluster.createTopic(1, TOPIC, PARTITIONS, 3);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        Map<Integer, JsonNode> views = new TreeMap<>();
        for (int node = 1; node <= 3; node++) {
            views.put(node, awaitView(node, Map.of(), "3 members UP, one leader per partition agreeing with describe"));
        }
        for (Map.Entry<Integer, JsonNode> e : views.entrySet()) {
            JsonNode view = e.getValue();
            assertThat(view.get("nodeId").asInt()).isEqualTo(e.getKey());
            assertThat(view.get("replicated").asBoolean()).isTrue();
            assertThat(view.get("metadataLeader").asInt()).isBetween(1, 3);
            List<Integer> selves = new ArrayList<>();
            for (JsonNode n : view.get("nodes")) {
                assertThat(n.get("raftPort").asInt()).isPositive();
                assertThat(n.get("reachable").asBoolean()).isTrue();
                assertThat(n.get("failedReplicas")).isEmpty();
                if (n.get("self").asBoolean()) {
                    selves.add(n.get("id").asInt());
                }
                // RF 3 on 3 nodes: each node holds every partition, as leader or follower.
                assertThat(n.get("leaderOf").get("count").asInt() + n.get("followerOf").get("count").asInt())
                        .isEqualTo(PARTITIONS);
                // __consumer_offsets is on every node too, listed apart.
                assertThat(n.get("internalLeaderOf").get("count").asInt()
                        + n.get("internalFollowerOf").get("count").asInt()).isPositive();
            }
            assertThat(selves).containsExactly(e.getKey());
        }
        // The reports the nodes exchange are for peer nodes only.
        assertThat(cluster.send(1, "GET", "/internal/cluster/report", null).statusCode()).isEqualTo(401);

        // Traffic: records produced through node 1 show in node 1's entry of every node's view (node 1 counts
        // them; its peers report them), and the fetch in the node that answered it.
        HttpResponse<String> produced = cluster.send(1, "POST", "/api/v1/topics/" + TOPIC + "/records",
                "{\"records\":[{\"partition\":0,\"value\":1},{\"partition\":0,\"value\":2},"
                        + "{\"partition\":1,\"value\":3}]}");
        assertThat(produced.statusCode()).as(produced.body()).isEqualTo(200);
        HttpResponse<String> fetched = cluster.send(2, "GET", "/api/v1/topics/" + TOPIC
                + "/partitions/0/records?offset=0&maxRecords=10", null);
        assertThat(JSON.readTree(fetched.body()).get("records")).as(fetched.body()).hasSize(2);
        for (int node = 1; node <= 3; node++) {
            JsonNode nodes = JSON.readTree(cluster.send(node, "GET", "/api/v1/cluster", null).body()).get("nodes");
            assertThat(nodes.get(0).path("traffic").path(TOPIC).path("producedRecords").asLong()).as("node %d: %s",
                    node, nodes).isEqualTo(3);
            long fetchedAnywhere = 0;
            for (JsonNode n : nodes) {
                fetchedAnywhere += n.path("traffic").path(TOPIC).path("fetchedRecords").asLong();
            }
            assertThat(fetchedAnywhere).as("node %d: %s", node, nodes).isEqualTo(2);
        }

        // The storage of one replica fails (its log closed under it, as after a disk error): the node answers
        // but is not ready, and every node shows it DOWN with that replica failed.
        Map<String, Integer> leaders = leaders(views.get(1));
        int victim = leaders.get(TOPIC + "-0");
        // The partition it leads: the others elect a new leader, and the closed member must stop claiming the lead
        // (Ratis keeps a closed member registered with its last role).
        int broken = 0;
        int healthy = victim % 3 + 1;
        cluster.context(victim).getBean(TopicRegistry.class).partition(TOPIC, broken).close();
        // A write to the partition makes the victim touch its closed log, as leader or as follower (or its next
        // scheduled snapshot does, whichever comes first). Sent again until the victim reports the failure: a
        // write refused before any replica appended it (during an election) touches no log.
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        do {
            HttpResponse<String> w = cluster.send(healthy, "POST", "/api/v1/topics/" + TOPIC + "/records",
                    "{\"records\":[{\"partition\":" + broken + ",\"value\":1}]}");
            System.out.printf("[cluster-view] write to %s-%d through node %d (node %d's log closed): %d %s%n", TOPIC,
                    broken, healthy, victim, w.statusCode(), w.body());
            Thread.sleep(200);
        } while (!cluster.context(victim).getBean(FailedReplicas.class).hasFailed(TOPIC, broken)
                && System.nanoTime() < until);
        for (int node = 1; node <= 3; node++) {
            JsonNode view = awaitView(node, Map.of(victim, "DOWN"), "node " + victim + " DOWN");
            JsonNode shown = view.get("nodes").get(victim - 1);
            assertThat(shown.get("reachable").asBoolean()).isTrue();
            assertThat(shown.get("failedReplicas")).extracting(JsonNode::asString)
                    .containsExactly(TOPIC + "-" + broken);
            assertThat(leaders(view).get(TOPIC + "-" + broken)).isNotEqualTo(victim);
        }

        // Stopped, it is UNREACHABLE for the survivors, which lead its partitions.
        cluster.stop(victim);
        for (int node = 1; node <= 3; node++) {
            if (node != victim) {
                JsonNode view = awaitView(node, Map.of(victim, "UNREACHABLE"), "node " + victim + " unreachable, "
                        + "its partitions led by the survivors");
                assertThat(leaders(view).values()).doesNotContain(victim);
                assertThat(view.get("nodes").get(victim - 1).has("failedReplicas")).isFalse();
            }
        }
    }

    /**
     * Polls a node's cluster view (up to a minute) until each node has the status given in {@code statuses}
     * (UP when not given), and every partition of the topic has exactly one leader among the UP nodes, the one
     * describe shows.
     */
    private JsonNode awaitView(int node, Map<Integer, String> statuses, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = cluster.send(node, "GET", "/api/v1/cluster", null);
            last = r.statusCode() + " " + r.body();
            if (r.statusCode() == 200) {
                JsonNode view = JSON.readTree(r.body());
                String problem = check(node, view, statuses);
                if (problem == null) {
                    return view;
                }
                last = problem + " in " + r.body();
            }
            Thread.sleep(100);
        }
        return fail("node " + node + " never showed " + what + "; last: " + last);
    }

    /** What is still wrong with a view, or null. */
    private String check(int node, JsonNode view, Map<Integer, String> statuses) throws Exception {
        if (view.get("nodes").size() != 3) {
            return "not 3 nodes";
        }
        if (statuses.isEmpty() && view.get("metadataLeader").asInt() == 0) {
            return "no metadata leader known yet"; // an election of the metadata group, seen under CI load
        }
        for (JsonNode n : view.get("nodes")) {
            int id = n.get("id").asInt();
            String expected = statuses.getOrDefault(id, "UP");
            if (!expected.equals(n.get("status").asString())
                    || n.get("reachable").asBoolean() != !expected.equals("UNREACHABLE")) {
                return "node " + id + " is " + n.get("status").asString();
            }
        }
        Map<String, Integer> leaders = leaders(view);
        for (int p = 0; p < PARTITIONS; p++) {
            Integer leader = leaders.get(TOPIC + "-" + p);
            if (leader == null || statuses.containsKey(leader) && !leadsWhenDown(leader, p, view)) {
                return "partition " + p + " led by " + leader;
            }
        }
        JsonNode described = JSON.readTree(cluster.send(node, "GET", "/api/v1/topics/" + TOPIC, null).body());
        for (JsonNode p : described.get("partitionDetails")) {
            Integer leader = leaders.get(TOPIC + "-" + p.get("partition").asInt());
            if (leader != p.get("leader").asInt()) {
                return "describe shows leader " + p.get("leader").asInt() + " of partition " + p.get("partition")
                        + ", the cluster view " + leader;
            }
        }
        return null;
    }

    /** A DOWN node (a failed replica, not stopped) still leads the partitions whose replica works. */
    private static boolean leadsWhenDown(int leader, int partition, JsonNode view) {
        JsonNode n = view.get("nodes").get(leader - 1);
        if (!"DOWN".equals(n.get("status").asString())) {
            return false;
        }
        for (JsonNode f : n.get("failedReplicas")) {
            if (f.asString().equals(TOPIC + "-" + partition)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The leader of each user-topic partition in a view, from the nodes' leaderOf lists.
     *
     * @throws AssertionError when a partition is listed under two nodes, or under leaderOf and followerOf of one
     */
    private static Map<String, Integer> leaders(JsonNode view) {
        Map<String, Integer> out = new HashMap<>();
        for (JsonNode n : view.get("nodes")) {
            JsonNode leads = n.get("leaderOf");
            assertThat(leads.get("count").asInt()).isEqualTo(leads.get("partitions").size());
            for (JsonNode p : leads.get("partitions")) {
                Integer before = out.put(p.asString(), n.get("id").asInt());
                assertThat(before).as(p.asString() + " led by two nodes in " + view).isNull();
            }
            for (JsonNode p : n.get("followerOf").get("partitions")) {
                assertThat(n.get("id").asInt()).as(p.asString() + " both led and followed by node "
                        + n.get("id")).isNotEqualTo(out.get(p.asString()));
            }
        }
        return out;
    }
}
