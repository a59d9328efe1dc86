package io.tributary.ingest.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.tributary.ingest.log.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Three ingest nodes as three separate JVMs on 127.0.0.1 ({@link ProcessCluster}):
 * the partition leader is SIGKILLed while a writer produces with {@code acks=all} through another
 * node. Every acknowledged record must then be readable exactly once, at its acknowledged offset
 * and in the same order, from both survivors; producing must resume; and the killed node, once
 * restarted on the same data folder, must catch up to a log equal batch for batch (CRC and bytes)
 * to the others'. Child logs: {@code target/replication-kill-test/}.
 */
class ReplicationProcessKillTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOPIC = "killed";
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dataRoot;

    private ProcessCluster cluster;

    /** Acknowledged records: value -> offset, in acknowledgement order. */
    private final Map<String, Long> acked = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private final AtomicInteger refused = new AtomicInteger();
    private final List<Throwable> writerErrors = new CopyOnWriteArrayList<>();

    @AfterEach
    void killChildren() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void sigkilledLeaderLosesNoAcknowledgedRecordAndComesBackIdentical() throws Exception {
        cluster = new ProcessCluster(dataRoot, "replication-kill-test", 3).startAll();

        // The metadata group may still be electing its first leader: a 503 is retriable.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
            int status = post(1, "/api/v1/topics", "{\"name\":\"" + TOPIC
                    + "\",\"partitions\":1,\"replicationFactor\":3}").statusCode();
            return status == 201 || status == 409;
        });
        int leader = await().atMost(WAIT).until(() -> leaderSeenBy(1), l -> l > 0);
        int survivor = leader == 1 ? 2 : 1;
        int other = 6 - leader - survivor;

        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            try {
                write(survivor, stop);
            } catch (Throwable e) {
                writerErrors.add(e);
            }
        }, "kill-test-writer");
        writer.start();
        await().atMost(WAIT).until(() -> acked.size() >= 60 || !writer.isAlive());
        int ackedBeforeKill = acked.size();

        cluster.kill(leader); // SIGKILL
        System.out.printf("[kill-test] SIGKILLed leader %d after %d acknowledged records%n", leader, ackedBeforeKill);

        await().atMost(WAIT).until(() -> acked.size() >= ackedBeforeKill + 60 || !writer.isAlive());
        stop.set(true);
        writer.join(60_000);
        assertThat(writer.isAlive()).isFalse();
        if (!writerErrors.isEmpty()) {
            throw new AssertionError("the writer failed", writerErrors.get(0));
        }
        assertThat(acked.size()).as("producing resumed after the leader was killed")
                .isGreaterThanOrEqualTo(ackedBeforeKill + 60);
        int newLeader = await().atMost(WAIT).until(() -> leaderSeenBy(survivor), l -> l > 0 && l != leader);
        System.out.printf("[kill-test] new leader %d; %d records acknowledged, %d requests not acknowledged%n",
                newLeader, acked.size(), refused.get());

        Map<String, Long> ackedCopy;
        synchronized (acked) {
            ackedCopy = new LinkedHashMap<>(acked);
        }
        long lastAcked = ackedCopy.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        Map<Integer, List<Map.Entry<String, Long>>> seen = new HashMap<>();
        for (int node : new int[] {survivor, other}) {
            await().atMost(WAIT).until(() -> logEnd(node) > lastAcked);
            Map<String, Long> all = readAll(node);
            // Every acknowledged record exactly once (readAll fails on a value stored twice), at
            // its acknowledged offset; offsets increase with the writer's order.
            assertThat(all).containsAllEntriesOf(ackedCopy);
            assertThat(new ArrayList<>(all.values())).isSorted();
            List<Long> valueOrder = all.keySet().stream().map(v -> Long.parseLong(v.substring(2))).toList();
            assertThat(valueOrder).isSorted();
            seen.put(node, new ArrayList<>(all.entrySet()));
        }
        long commonEnd = Math.min(logEnd(survivor), logEnd(other));
        assertThat(prefix(seen.get(survivor), commonEnd)).isEqualTo(prefix(seen.get(other), commonEnd));

        // The killed node restarts on its data folder and catches up.
        cluster.start(leader);
        cluster.awaitHealthy(leader);
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = produce(leader, List.of("r-" + (1_000_000 + i)));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        // Nothing is produced any more: wait until the three log ends agree (a follower may still be
        // applying the last entries when the produce through the restarted node is answered).
        long atLeast = logEnd(survivor);
        await().atMost(WAIT).until(() -> {
            long a = logEnd(1);
            return a >= atLeast && logEnd(2) == a && logEnd(3) == a;
        });
        assertThat(readAll(leader)).containsAllEntriesOf(ackedCopy);

        // Stop every node cleanly and compare the partition logs on disk, batch for batch.
        for (int id = 1; id <= 3; id++) {
            cluster.terminate(id); // SIGTERM: graceful
        }
        List<RecordBatch> reference = cluster.batchesOnDisk(newLeader, TOPIC, 0);
        assertThat(reference).isNotEmpty();
        for (int id = 1; id <= 3; id++) {
            List<RecordBatch> batches = cluster.batchesOnDisk(id, TOPIC, 0);
            assertThat(batches).as("node %d batches", id).hasSameSizeAs(reference);
            for (int i = 0; i < reference.size(); i++) {
                assertThat(batches.get(i).storedCrc()).isEqualTo(reference.get(i).storedCrc());
                assertThat(batches.get(i).copyBytes()).isEqualTo(reference.get(i).copyBytes());
            }
        }
        System.out.printf("[kill-test] restarted node %d caught up: %d batches identical on all three nodes%n", leader,
                reference.size());
    }

    /** Produces batches of 3 new values (never retried) through {@code node} until told to stop. */
    private void write(int node, AtomicBoolean stop) throws InterruptedException {
        long next = 0;
        while (!stop.get()) {
            List<String> values = List.of("v-" + next, "v-" + (next + 1), "v-" + (next + 2));
            next += 3;
            try {
                HttpResponse<String> r = produce(node, values);
                if (r.statusCode() == 200) {
                    JsonNode offsets = JSON.readTree(r.body()).get("offsets");
                    for (int i = 0; i < values.size(); i++) {
                        acked.put(values.get(i), offsets.get(i).get("offset").asLong());
                    }
                } else {
                    refused.incrementAndGet();
                    Thread.sleep(100);
                }
            } catch (IOException e) {
                refused.incrementAndGet();
                Thread.sleep(100);
            }
        }
    }

    private static List<Map.Entry<String, Long>> prefix(List<Map.Entry<String, Long>> entries, long end) {
        return entries.stream().filter(e -> e.getValue() < end).toList();
    }

    private int leaderSeenBy(int node) {
        try {
            HttpResponse<String> r = get(node, "/api/v1/topics/" + TOPIC);
            return r.statusCode() == 200 ? JSON.readTree(r.body()).get("partitionDetails").get(0).get("leader").asInt()
                    : -1;
        } catch (IOException | InterruptedException | RuntimeException e) {
            return -1;
        }
    }

    private long logEnd(int node) throws Exception {
        HttpResponse<String> r = get(node, "/api/v1/topics/" + TOPIC);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("partitionDetails").get(0).get("logEndOffset").asLong();
    }

    private Map<String, Long> readAll(int node) throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        long offset = 0;
        while (true) {
            HttpResponse<String> r = get(node, "/api/v1/topics/" + TOPIC + "/partitions/0/records?offset=" + offset
                    + "&maxRecords=10000");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(r.body());
            for (JsonNode rec : body.get("records")) {
                Long previous = out.put(rec.get("value").asString(), rec.get("offset").asLong());
                assertThat(previous).as("value %s stored twice on node %d", rec.get("value"), node).isNull();
            }
            long next = body.get("nextOffset").asLong();
            if (next >= body.get("highWatermark").asLong() || next == offset) {
                return out;
            }
            offset = next;
        }
    }

    private HttpResponse<String> produce(int node, List<String> values) throws IOException, InterruptedException {
        StringBuilder sb = new StringBuilder("{\"acks\":\"all\",\"records\":[");
        for (int i = 0; i < values.size(); i++) {
            sb.append(i == 0 ? "" : ",").append("{\"value\":\"").append(values.get(i)).append("\"}");
        }
        return post(node, "/api/v1/topics/" + TOPIC + "/records", sb.append("]}").toString());
    }

    private HttpResponse<String> post(int node, String path, String json) throws IOException, InterruptedException {
        return cluster.post(node, path, json);
    }

    private HttpResponse<String> get(int node, String path) throws IOException, InterruptedException {
        return cluster.get(node, path);
    }
}
