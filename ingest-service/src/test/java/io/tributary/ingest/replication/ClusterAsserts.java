package io.tributary.ingest.replication;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.server.raftlog.RaftLog;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** Small checks the cluster admin tests share. */
final class ClusterAsserts {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ClusterAsserts() {
    }

    /** The answer is an RFC 9457 problem of that status whose type ends with {@code type}. */
    static void assertProblem(HttpResponse<String> r, int status, String type) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct ->
                assertThat(ct).startsWith("application/problem+json"));
        assertThat(JSON.readTree(r.body()).get("type").asString()).endsWith(type);
    }

    /** Every record of a partition read through {@code node} over HTTP, from offset 0 to its end, in order. */
    static List<JsonNode> readPartition(LoopbackCluster cluster, int node, String topic, int partition)
            throws Exception {
        return readPartition(cluster, node, topic, partition, 0);
    }

    /** The records of a partition read through {@code node} over HTTP, from {@code offset} to its end, in order. */
    static List<JsonNode> readPartition(LoopbackCluster cluster, int node, String topic, int partition, long offset)
            throws Exception {
        List<JsonNode> out = new ArrayList<>();
        while (true) {
            HttpResponse<String> r = cluster.send(node, "GET", "/api/v1/topics/" + topic + "/partitions/" + partition
                    + "/records?offset=" + offset + "&maxRecords=500", null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode records = JSON.readTree(r.body()).get("records");
            if (records.isEmpty()) {
                return out;
            }
            for (JsonNode rec : records) {
                out.add(rec);
                offset = rec.get("offset").asLong() + 1;
            }
        }
    }

    /** A JSON array of numbers as a list. */
    static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    /**
     * The indexes of a partition's Raft entries after {@code after} that hold batches: not a mode or in-sync entry
     * (which a partition written without an entry per batch still writes: a switch, an in-sync change, a mode
     * written again for a due snapshot), nor a configuration or a leader's first entry.
     */
    static List<Long> batchEntriesAfter(RaftLog raftLog, long after) throws Exception {
        List<Long> out = new ArrayList<>();
        for (long i = after + 1; i <= raftLog.getLastEntryTermIndex().getIndex(); i++) {
            LogEntryProto e = raftLog.get(i);
            if (e == null || !e.hasStateMachineLogEntry()) {
                continue;
            }
            byte[] data = e.getStateMachineLogEntry().getLogData().toByteArray();
            if (ModeEntry.decode(data) == null && InSyncEntry.decode(data) == null) {
                out.add(i);
            }
        }
        return out;
    }
}
