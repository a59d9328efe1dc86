package io.tributary.ingest.replication;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.tributary.ingest.replication.fetch.ReplicaProgress;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.ratis.protocol.RaftGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A replica whose partition log fails (here: the log closed under it, so every append throws, as
 * after a disk error) leaves that partition's group, reports the node not ready and stops serving
 * the partition from its own log: reads through it are answered by a healthy replica, and the group
 * keeps acknowledging writes with the other two. On both write paths: a follower's fetch fails to
 * append (the default), or its apply of a Raft entry does ({@code fetch-writes=false}); and on the
 * default path the leader's own append, after which another replica leads and the writes forwarded to
 * the failed leader are routed to it; and a snapshot of the leader, no write involved.
 */
class ReplicaStorageFailureTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOPIC = "disk";

    private LoopbackCluster cluster;

    private long produce(int node, int value) throws Exception {
        HttpResponse<String> r = cluster.send(node, "POST", "/api/v1/topics/" + TOPIC + "/records",
                "{\"records\":[{\"partition\":0,\"value\":" + value + "}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("offsets").get(0).get("offset").asLong();
    }

    /**
     * A produce under an Idempotency-Key, retried while answered a retriable 503 (for up to 30 s): right after a
     * storage failure the group may be between leaders or its in-sync set changing (ci49 and ci50 saw one such
     * 503 each, from a new leader that had dropped a live follower at its term's start; fixed since, but a
     * retriable answer stays a correct one). The key makes the retry safe, and the offsets checked below show
     * nothing written twice. Every retry is printed.
     */
    private long produceRetrying(int node, int value) throws Exception {
        HttpResponse<String> r = cluster.produceKeyedRetrying(node, TOPIC,
                "{\"records\":[{\"partition\":0,\"value\":" + value + "}]}", "disk-" + value, Duration.ofSeconds(30));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("offsets").get(0).get("offset").asLong();
    }

    @ParameterizedTest(name = "fetch-writes={0}, leader fails={1}")
    @CsvSource({"true, false", "false, false", "true, true"})
    void aReplicaWhoseLogFailsStepsAsideAndTheGroupGoesOn(boolean fetchWrites, boolean leaderFails) throws Exception {
        try (LoopbackCluster c = new LoopbackCluster(Files.createTempDirectory("ingest-storage-failure-"), 3,
                "--ingest.replication.fetch-writes=" + fetchWrites).startAll()) {
            cluster = c;
            stepsAside(fetchWrites, leaderFails);
        }
    }

    /**
     * The log of the leader fails where no write reaches it: at its next snapshot (taken on a schedule once the
     * high watermark moved; asked for here), whose flush or producer snapshot throws. Ratis closes a member whose
     * snapshot throws, so the node reports that replica failed as after a failed append, and another replica
     * leads. Unreported, the node stayed ready and listed as hosting a partition it no longer followed (a CI run
     * of the cluster view waited a minute for it to show DOWN).
     */
    @Test
    void aReplicaWhoseLogFailsAtASnapshotStepsAsideToo() throws Exception {
        try (LoopbackCluster c = new LoopbackCluster(Files.createTempDirectory("ingest-storage-failure-"), 3)
                .startAll()) {
            cluster = c;
            HttpResponse<String> created = cluster.createTopic(1, TOPIC, 1, 3);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            List<Long> acked = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                acked.add(produceRetrying(1, i));
            }
            for (int node = 1; node <= 3; node++) { // written by the leader and fetched, as by default
                PartitionViews views = cluster.context(node).getBean(PartitionViews.class);
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                        views.localStateMachine(TOPIC, 0).fetched());
            }
            int broken = leader();
            TopicRegistry.Topic topic = cluster.context(broken).getBean(TopicRegistry.class).get(TOPIC);
            cluster.context(broken).getBean(TopicRegistry.class).partition(TOPIC, 0).close();

            // Ratis takes no snapshot without an entry applied since the latest (one may have been taken after the
            // writes above): first an in-sync entry naming every replica, which changes nothing and touches no log,
            // then a snapshot asked for. The replica's own snapshot may come first: the writes changed its key
            // memory, so one is due 10 s after the last, with a mode entry written for it (DirectWrites.snapshotIfDue);
            // it meets the closed log the same way, and this node, no longer leading, refuses the proposal.
            RaftNode raft = cluster.context(broken).getBean(RaftNode.class);
            RaftGroup group = cluster.context(broken).getBean(PartitionGroups.class).partitionGroup(topic, 0);
            long term = raft.division(group.getGroupId()).getInfo().getCurrentTerm();
            PartitionStateMachine sm = cluster.context(broken).getBean(PartitionViews.class).localStateMachine(TOPIC, 0);
            Set<Integer> followers = new TreeSet<>(List.of(1, 2, 3));
            followers.remove(broken);
            sm.progress(term, followers, Duration.ofSeconds(5)); // the leader's view, made at its first fetch
            int sequence = sm.nextInSyncSequence(term);
            assertThat(sequence).as("the leader's next in-sync proposal of term %d", term).isPositive();
            String refused = raft.proposeAsLeader(group.getGroupId(), new InSyncEntry(term, sequence, List.of(1, 2, 3))
                    .encode());
            if (refused == null) {
                assertThat(raft.snapshotHere(group)).as("a snapshot of a closed log").isNotNull();
            } else {
                assertThat(refused).as("a no-change in-sync entry, after the replica's own snapshot")
                        .contains("not the leader");
            }
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    cluster.send(broken, "GET", "/actuator/health/readiness", null).statusCode() == 503);
            assertThat(cluster.send(broken, "GET", "/actuator/health", null).body()).contains(TOPIC + "-0");
            int other = broken % 3 + 1;
            for (int i = 5; i < 10; i++) {
                acked.add(produceRetrying(other, i));
            }
            assertThat(leader()).as("another replica leads").isNotEqualTo(broken);
            assertReadsThrough(broken, acked);
        }
    }

    /** A fetch of the partition through {@code node} answers exactly the acknowledged offsets, in order. */
    private void assertReadsThrough(int node, List<Long> acked) throws Exception {
        HttpResponse<String> fetched = cluster.send(node, "GET", "/api/v1/topics/" + TOPIC
                + "/partitions/0/records?offset=0&maxRecords=100", null);
        assertThat(fetched.statusCode()).as(fetched.body()).isEqualTo(200);
        List<Long> offsets = new ArrayList<>();
        for (JsonNode r : JSON.readTree(fetched.body()).get("records")) {
            offsets.add(r.get("offset").asLong());
        }
        assertThat(offsets).containsExactlyElementsOf(acked);
    }

    /** The leader's view of its followers' fetches in its current term. */
    private ReplicaProgress leaderView(int leader) {
        TopicRegistry.Topic topic = cluster.context(leader).getBean(TopicRegistry.class).get(TOPIC);
        long term = cluster.context(leader).getBean(RaftNode.class).division(PartitionGroups.groupId(topic, 0))
                .getInfo().getCurrentTerm();
        ReplicaProgress view = cluster.context(leader).getBean(PartitionViews.class).localStateMachine(TOPIC, 0)
                .progressIn(term);
        assertThat(view).as("node " + leader + " leads in term " + term).isNotNull();
        return view;
    }

    private int leader() throws Exception {
        HttpResponse<String> d = cluster.send(1, "GET", "/api/v1/topics/" + TOPIC, null);
        return JSON.readTree(d.body()).get("partitionDetails").get(0).get("leader").asInt();
    }

    private void stepsAside(boolean fetchWrites, boolean leaderFails) throws Exception {
        HttpResponse<String> created = cluster.createTopic(1, TOPIC, 1, 3);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        List<Long> acked = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            acked.add(produce(1, i));
        }
        // Every replica on the path under test before the disk fails (the switch follows the topic's creation).
        for (int node = 1; node <= 3; node++) {
            PartitionViews views = cluster.context(node).getBean(PartitionViews.class);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                    views.localStateMachine(TOPIC, 0).fetched() == fetchWrites);
        }
        int leader = leader();
        int broken = leaderFails ? leader : leader % 3 + 1;
        List<Integer> healthy = new ArrayList<>(List.of(1, 2, 3));
        healthy.remove(Integer.valueOf(broken));
        assertThat(cluster.send(broken, "GET", "/actuator/health/readiness", null).statusCode()).isEqualTo(200);

        // The disk of one node fails for this partition: every append from now on throws.
        cluster.context(broken).getBean(TopicRegistry.class).partition(TOPIC, 0).close();

        for (int i = 5; i < 25; i++) {
            acked.add(produceRetrying(healthy.get(i % 2), i)); // through the healthy nodes, acks=all
        }
        HttpResponse<String> readiness = cluster.send(broken, "GET", "/actuator/health/readiness", null);
        assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(503);
        HttpResponse<String> health = cluster.send(broken, "GET", "/actuator/health", null);
        assertThat(health.body()).contains(TOPIC + "-0");
        if (leaderFails) {
            assertThat(leader()).as("another replica leads").isNotEqualTo(broken);
        }
        if (fetchWrites) {
            // The failed replica no longer fetches (its fetches would count it as alive, and as caught up while
            // there is nothing new, so the in-sync set would keep it for the whole in-sync lag).
            int lead = leader();
            await().atMost(Duration.ofSeconds(10)).until(() -> leaderView(lead).notFetchingFor(Duration.ofSeconds(2))
                    .contains(broken));
        }

        // Reads through the broken node come from a healthy replica: every acknowledged record.
        assertReadsThrough(broken, acked);
        // And a produce through it still reaches the group.
        long more = produce(broken, 99);
        assertThat(more).isGreaterThan(acked.get(acked.size() - 1));
    }
}
