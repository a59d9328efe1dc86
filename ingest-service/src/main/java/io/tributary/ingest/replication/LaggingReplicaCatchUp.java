package io.tributary.ingest.replication;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.topic.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a replica of a partition that was written the Kafka way (FETCH) up to the log end a switch
 * back to Raft entries names (a {@code REPLICATED} {@link ModeEntry}), when its log lacks batches
 * below it: a follower that was out of the in-sync set (stopped, paused, slow) when the leader
 * switched. The leader waited only for the in-sync set, so such a follower never fetched those
 * batches, and from that entry on no fetch brings them; the entries that follow it append at the
 * log end, so it must hold exactly that end first.
 *
 * <p>It first drops what it cannot vouch for: everything above its high watermark (a suffix written
 * by an earlier leader may never have been acknowledged, and may differ from the batches the
 * other replicas hold at those offsets). Then it copies the missing batches, byte for byte, from the
 * internal read endpoint of the group's other members, leader first
 * ({@code GET .../read?offset=}, {@link ReplicaCopyController}), which serves committed batches only
 * (below that member's high watermark): any member's answer is the same bytes. When retention
 * deleted the batches it needs (a 416 naming a later log start), the log restarts empty at that
 * start ({@link PartitionLog#resetTo}); producers whose batches only those segments held are then
 * forgotten on this replica, as after a copy without a producer snapshot.
 */
final class LaggingReplicaCatchUp {

    private static final Logger log = LoggerFactory.getLogger(LaggingReplicaCatchUp.class);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private static final int CHUNK_BYTES = 4 << 20;

    private LaggingReplicaCatchUp() {
    }

    /**
     * Makes {@code plog} end at {@code end} with the batches every other replica holds below it.
     *
     * @param peers         the http bases of the group's other members, the leader first
     * @param authorization this node's credentials for the peers' internal endpoints
     * @param timeout       how long to keep asking before giving up
     * @throws IOException when no member served the missing batches in time
     */
    static void catchUp(TopicPartition tp, PartitionLog plog, long end, List<String> peers,
                        Supplier<String> authorization, ReplicaCopyThrottle throttle, Duration timeout)
            throws IOException, InterruptedException {
        long from = Math.min(plog.logEndOffset(), plog.highWatermark());
        if (plog.logEndOffset() > from) {
            log.info("{}: dropping offsets {} to {} above this replica's high watermark before catching up to {}", tp,
                    from, plog.logEndOffset(), end);
            plog.truncateTo(from);
        }
        long started = plog.logEndOffset();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (plog.logEndOffset() < end) {
            boolean progressed = false;
            for (String base : peers) {
                progressed |= copyFrom(tp, plog, end, base, authorization, throttle);
                if (plog.logEndOffset() >= end) {
                    break;
                }
            }
            if (!progressed) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(tp + ": no replica served the batches from " + plog.logEndOffset() + " to "
                            + end + " within " + timeout.toSeconds() + " s");
                }
                Thread.sleep(200);
            }
        }
        log.info("{}: caught up from offset {} to {} by copying from the other replicas", tp, started, end);
    }

    /** Copies what one member serves from this log's end towards {@code end}; true when the log grew or restarted. */
    private static boolean copyFrom(TopicPartition tp, PartitionLog plog, long end, String base,
                                    Supplier<String> authorization, ReplicaCopyThrottle throttle)
            throws InterruptedException {
        long next = plog.logEndOffset();
        HttpResponse<byte[]> r;
        try {
            r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/internal/replication/topics/"
                            + URLEncoder.encode(tp.topic(), StandardCharsets.UTF_8) + "/partitions/" + tp.partition()
                            + "/read?offset=" + next + "&maxBytes=" + CHUNK_BYTES))
                    .header("Authorization", authorization.get()).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            log.debug("{}: {} did not answer a catch-up read: {}", tp, base, e.toString());
            return false;
        }
        if (r.statusCode() == 416) {
            long start = r.headers().firstValue(ReplicaReads.LOG_START).map(Long::parseLong).orElse(-1L);
            if (start > next && start <= end) {
                log.info("{}: {} starts its log at {}, past this replica's end {}; restarting this log empty there",
                        tp, base, start, next);
                plog.resetTo(start);
                return true;
            }
            return false;
        }
        if (r.statusCode() != 200) {
            return false;
        }
        byte[] bytes = r.body();
        for (int pos = 0; pos < bytes.length && plog.logEndOffset() < end; ) {
            int size = RecordBatch.sizeAt(bytes, pos);
            RecordBatch batch = RecordBatch.view(bytes, pos, size);
            pos += size;
            if (batch.nextOffset() <= plog.logEndOffset()) {
                continue; // the read starts at the batch that holds the offset asked for
            }
            if (batch.baseOffset() != plog.logEndOffset() || batch.nextOffset() > end) {
                log.warn("{}: {} served a batch at {}-{} where offset {} up to {} was expected; asking another replica",
                        tp, base, batch.baseOffset(), batch.nextOffset(), plog.logEndOffset(), end);
                break;
            }
            plog.appendCopied(batch);
        }
        throttle.copied(bytes.length);
        return plog.logEndOffset() > next;
    }
}
