package io.tributary.ingest.replication;

import static io.tributary.ingest.replication.ClusterAsserts.ints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.tributary.ingest.topic.TopicRegistry;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Automatic preferred-leader balancing ({@link PreferredLeaderBalancer}, every 2 s here) on three in-JVM nodes: the
 * lead of every partition goes to its preferred leader (the first of its replicas) without any admin call, after
 * the first elections and again after a node that was stopped (its partitions led by the others meanwhile) comes
 * back; every record acknowledged before, during and after is read back through every node at its offset. On the
 * Raft-entry write path ({@code fetch-writes} off), whose lag guard counts Raft entries; a fetched partition's
 * preferred leader must be in its in-sync set instead, as Kafka's (ReassignmentClusterTest's Kafka tool elections).
 */
class PreferredLeaderBalancingClusterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TOPIC = "bal";
    private static final int PARTITIONS = 3;

    private static LoopbackCluster cluster;
    /** Every acknowledged record: "partition/value" -> offset. */
    private static final Map<String, Long> acked = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = new LoopbackCluster(Files.createTempDirectory("ingest-balance-"), 3,
                "--ingest.replication.leader-rebalance-interval=2s", "--ingest.replication.fetch-writes=false").startAll();
        HttpResponse<String> created = cluster.createTopic(1, TOPIC, PARTITIONS, 3);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyPartitionIsLedByItsPreferredLeaderAgainAfterANodeComesBack() throws Exception {
        // the first elections are a race; the balancer settles every lead on the preferred leaders
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> assertPreferredLead(1));
        Map<Integer, Integer> preferred = preferredLeaders(1);
        assertThat(preferred.values()).as("placement spreads the preferred leaders").containsExactlyInAnyOrder(1, 2, 3);
        produce(1, "before");

        int victim = preferred.get(1);
        int other = victim == 1 ? 2 : 1;
        cluster.stop(victim);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(describe(other).get(1).get("leader").asInt()).isNotIn(-1, victim));
        produce(other, "while-down");
        // The leader's view counts the entries the stopped node misses (each acknowledged request above and below is
        // one entry): a preferred leader that far behind is not handed the lead (PartitionMoves#electPreferred).
        TopicRegistry.Topic topic = cluster.context(other).getBean(TopicRegistry.class).get(TOPIC);
        PartitionViews views = cluster.context(other).getBean(PartitionViews.class);
        long behindBefore = views.view(topic, 1).behind(victim);
        produce(other, 1, "missed", (int) PartitionMoves.MAX_TRANSFER_LAG + 6);
        await().atMost(WAIT).untilAsserted(() -> assertThat(views.view(topic, 1).behind(victim))
                .isGreaterThanOrEqualTo(behindBefore + PartitionMoves.MAX_TRANSFER_LAG + 6));
        PartitionViews.PartitionView whileDown = views.view(topic, 1);
        assertThat(whileDown.behind(whileDown.leader())).as("the leader is not behind itself").isZero();

        cluster.start(victim);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> assertPreferredLead(other));
        assertThat(cluster.context(victim).getBean(MeterRegistry.class)
                .counter("ingest.replication.leader.rebalances").count())
                .as("the lead went back through the restarted node's balancer").isGreaterThanOrEqualTo(1);
        produce(victim, "after");

        for (int node = 1; node <= 3; node++) {
            int n = node;
            await().atMost(WAIT).untilAsserted(() -> assertThat(readAll(n)).isEqualTo(acked));
        }
    }

    private static void assertPreferredLead(int node) throws Exception {
        JsonNode details = describe(node);
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(details.get(p).get("leader").asInt()).as("leader of partition " + p)
                    .isEqualTo(ints(details.get(p).get("replicas")).get(0));
        }
    }

    private static Map<Integer, Integer> preferredLeaders(int node) throws Exception {
        JsonNode details = describe(node);
        Map<Integer, Integer> out = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            out.put(p, ints(details.get(p).get("replicas")).get(0));
        }
        return out;
    }

    private static JsonNode describe(int node) throws Exception {
        HttpResponse<String> r = cluster.send(node, "GET", "/api/v1/topics/" + TOPIC, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("partitionDetails");
    }

    /** Ten acks=all records into every partition through {@code node}, each acknowledged. */
    private static void produce(int node, String label) throws Exception {
        for (int p = 0; p < PARTITIONS; p++) {
            produce(node, p, label, 10);
        }
    }

    /** {@code count} acks=all records into one partition through {@code node}, one request (one entry) each. */
    private static void produce(int node, int partition, String label, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            String value = label + "-" + i;
            HttpResponse<String> r = cluster.send(node, "POST", "/api/v1/topics/" + TOPIC + "/records",
                    "{\"acks\":\"all\",\"records\":[{\"partition\":" + partition + ",\"value\":\"" + value + "\"}]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            acked.put(partition + "/" + value, JSON.readTree(r.body()).get("offsets").get(0).get("offset").asLong());
        }
    }

    /** Every record of every partition read through {@code node}: "partition/value" -> offset. */
    private static Map<String, Long> readAll(int node) throws Exception {
        Map<String, Long> out = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            for (JsonNode rec : ClusterAsserts.readPartition(cluster, node, TOPIC, p)) {
                out.put(p + "/" + rec.get("value").asString(), rec.get("offset").asLong());
            }
        }
        return out;
    }
}
