package io.tributary.ingest.replication;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.log.FetchResult;
import io.tributary.ingest.log.OffsetOutOfRangeException;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.security.NodeCredentials;
import io.tributary.ingest.topic.TopicRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Conditional;
import org.springframework.stereotype.Component;

/**
 * Reads of partitions this node hosts no replica of (a replicated topic whose replication factor
 * is below the cluster size), from a node that does, over the internal read endpoint of
 * {@link ReplicaCopyController}: the stored batches, byte for byte, and the replica's bounds in
 * headers. The replicas are asked in placement order, the first that answers wins: a replica
 * holds committed data only, but may lag the leader by its apply delay, so sticking to one keeps
 * successive reads monotonic (a failover to the next replica may briefly see an earlier end). A
 * group coordinator reads this way the subscribed partitions it hosts no replica of (through
 * {@code cluster.RaftClusterOps}).
 */
@Component
@Conditional(ReplicationEnabledCondition.class)
public class ReplicaReads {

    static final String LOG_START = "X-Log-Start-Offset";
    static final String HIGH_WATERMARK = "X-High-Watermark";
    static final String LOG_END = "X-Log-End-Offset";

    private static final Logger log = LoggerFactory.getLogger(ReplicaReads.class);

    private final PartitionViews views;
    private final PartitionGroups groups;
    private final TopicRegistry topics;
    private final NodeCredentials credentials;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    ReplicaReads(PartitionViews views, PartitionGroups groups, TopicRegistry topics, NodeCredentials credentials) {
        this.credentials = credentials;
        this.views = views;
        this.groups = groups;
        this.topics = topics;
    }

    /**
     * Like {@link io.tributary.ingest.log.PartitionLog#read}, from a replica: the batches from
     * {@code offset} and the replica's bounds. An {@code offset} of -1 reads the bounds only.
     *
     * @throws OffsetOutOfRangeException outside the replica's range
     * @throws ProblemException 503 not-enough-replicas when no replica answers
     */
    public FetchResult read(String topic, int partition, long offset, int maxBytes) {
        TopicRegistry.Topic t = topics.get(topic);
        // Always the same replica first, so that successive reads never see an earlier end.
        for (int node : views.readableReplicas(t, partition)) {
            String url = groups.peers().find(node).orElseThrow().httpBase() + "/internal/replication/topics/"
                    + URLEncoder.encode(topic, StandardCharsets.UTF_8) + "/partitions/" + partition + "/read?offset="
                    + offset + "&maxBytes=" + maxBytes;
            HttpResponse<byte[]> r;
            try {
                r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", credentials.authorization())
                                .timeout(Duration.ofSeconds(10)).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                log.debug("replica {} of {}-{} did not answer a read: {}", node, topic, partition, e.toString());
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (r.statusCode() != 200 && r.statusCode() != 416) {
                continue;
            }
            long start = header(r, LOG_START);
            long highWatermark = header(r, HIGH_WATERMARK);
            if (r.statusCode() == 416) {
                throw new OffsetOutOfRangeException(offset, start, highWatermark);
            }
            return new FetchResult(batches(r.body()), highWatermark, start, header(r, LOG_END));
        }
        throw new ProblemException(ProblemType.NOT_ENOUGH_REPLICAS, "no replica of " + topic + "-" + partition
                + " answered a read (replicas " + groups.replicas(t, partition) + ")");
    }

    private static List<RecordBatch> batches(byte[] bytes) {
        List<RecordBatch> out = new ArrayList<>();
        for (int pos = 0; pos < bytes.length; ) {
            int size = RecordBatch.sizeAt(bytes, pos);
            out.add(RecordBatch.view(bytes, pos, size));
            pos += size;
        }
        return out;
    }

    private static long header(HttpResponse<?> r, String name) {
        return Long.parseLong(r.headers().firstValue(name).orElse("0"));
    }
}
