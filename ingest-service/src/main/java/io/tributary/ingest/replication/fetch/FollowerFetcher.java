package io.tributary.ingest.replication.fetch;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.tributary.ingest.kafka.ReplicaSource;
import io.tributary.ingest.log.LeaderEpochs;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.RecordBatch;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Records;
import org.apache.kafka.common.requests.FetchResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's replicas of the partitions one leader node leads up to date: one thread, one
 * connection to the leader's replication listener, and in each Fetch every partition followed
 * there, each asked from its log end with the epoch of its last batch. What comes back:
 * <ul>
 *   <li>batches: checked (CRC) and appended as they are ({@link PartitionLog#appendCopied}: same
 *       offsets, epochs and producer state as the leader's), then the high watermark taken up to
 *       the leader's (never past this log's end);</li>
 *   <li>a diverging epoch: this log holds batches the leader never had (written under an old
 *       leader, never acknowledged); it is truncated to where the leader's and its own history of
 *       that epoch end, whichever is lower, and fetches on from there;</li>
 *   <li>{@code OFFSET_OUT_OF_RANGE}: this log cannot continue the leader's (it ends below the
 *       leader's log start, or its history is older than the leader's); it starts again, empty, at
 *       the leader's log start ({@link PartitionLog#resetTo});</li>
 *   <li>a leadership error: the partition is left out for a second, or until it is followed under
 *       another epoch (the leader may not have taken up the epoch yet).</li>
 * </ul>
 * A failed connection is opened again after a pause.
 */
public final class FollowerFetcher implements Runnable, Closeable {

    private static final Logger log = LoggerFactory.getLogger(FollowerFetcher.class);
    private static final long REFUSED_NANOS = Duration.ofSeconds(1).toNanos();

    /**
     * @param maxWait           how long the leader may hold a fetch that finds nothing new
     * @param partitionMaxBytes the most one partition answers with in one fetch (at least a batch)
     * @param maxBytes          the most one answer carries
     * @param pause             the wait before trying again after a failure, or while nothing is followed
     */
    public record Settings(Duration maxWait, int partitionMaxBytes, int maxBytes, Duration pause,
                           Duration connectTimeout) {

        public static final Settings DEFAULTS = new Settings(Duration.ofMillis(500), 1 << 20, 8 << 20,
                Duration.ofMillis(100), Duration.ofSeconds(2));
    }

    private final int selfId;
    private final int leaderId;
    private final Supplier<InetSocketAddress> leaderAddress;
    private final Supplier<List<FollowedPartition>> followed;
    private final Settings settings;
    /**
     * Partitions the leader refused with a leadership error, and until when (nanoTime) they are left
     * out: a second, or until the partition is followed under another epoch.
     */
    private final Map<FollowedPartition, Long> refused = new HashMap<>();
    private volatile boolean closed;
    private volatile Thread thread;
    /** Read by {@link #close} from another thread, to end a blocked read at once. */
    private volatile ReplicaFetchClient client;

    /**
     * @param followed the partitions this node follows on {@code leaderId} now (asked before every fetch)
     */
    public FollowerFetcher(int selfId, int leaderId, Supplier<InetSocketAddress> leaderAddress,
                           Supplier<List<FollowedPartition>> followed, Settings settings) {
        this.selfId = selfId;
        this.leaderId = leaderId;
        this.leaderAddress = leaderAddress;
        this.followed = followed;
        this.settings = settings;
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        while (!closed) {
            try {
                if (!fetchOnce()) {
                    pause();
                }
            } catch (IOException e) {
                if (!closed) {
                    log.debug("node {} fetching from node {}: {}", selfId, leaderId, e.toString());
                    closeClient();
                    pause();
                }
            } catch (RuntimeException e) {
                if (!closed) {
                    log.warn("node {} fetching from node {} failed", selfId, leaderId, e);
                    closeClient();
                    pause();
                }
            }
        }
        closeClient();
    }

    /** One fetch of every partition followed on the leader; false when there was none to ask for. */
    boolean fetchOnce() throws IOException {
        List<FollowedPartition> now = followed.get();
        long clock = System.nanoTime();
        refused.keySet().retainAll(now);
        refused.values().removeIf(until -> until - clock <= 0);
        Map<String, FollowedPartition> byKey = new HashMap<>();
        Map<Uuid, FetchRequestData.FetchTopic> topics = new HashMap<>();
        FetchRequestData request = new FetchRequestData()
                .setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(selfId))
                .setMaxWaitMs((int) settings.maxWait().toMillis()).setMinBytes(1).setMaxBytes(settings.maxBytes())
                .setSessionId(0).setSessionEpoch(-1);
        for (FollowedPartition f : now) {
            if (refused.containsKey(f)) {
                continue;
            }
            PartitionLog plog = f.log();
            long end = plog.logEndOffset();
            FetchRequestData.FetchTopic topic = topics.computeIfAbsent(f.topicId(), id -> {
                FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic().setTopicId(id).setTopic(f.topic());
                request.topics().add(t);
                return t;
            });
            topic.partitions().add(new FetchRequestData.FetchPartition().setPartition(f.partition())
                    .setCurrentLeaderEpoch(f.leaderEpoch()).setFetchOffset(end)
                    .setLastFetchedEpoch(end > plog.logStartOffset() ? plog.latestEpoch() : -1)
                    .setLogStartOffset(plog.logStartOffset()).setPartitionMaxBytes(settings.partitionMaxBytes()));
            byKey.put(key(f.topicId(), f.partition()), f);
        }
        if (byKey.isEmpty()) {
            return false;
        }
        ReplicaFetchClient c = client;
        if (c == null) {
            c = new ReplicaFetchClient(leaderAddress.get(), selfId, settings.connectTimeout(),
                    settings.maxWait().plusSeconds(30));
            client = c;
        }
        FetchResponseData answer = c.fetch(request);
        if (answer.errorCode() != Errors.NONE.code()) {
            throw new IOException("node " + leaderId + " refused the fetch: " + Errors.forCode(answer.errorCode()));
        }
        for (FetchResponseData.FetchableTopicResponse t : answer.responses()) {
            for (FetchResponseData.PartitionData p : t.partitions()) {
                FollowedPartition f = byKey.get(key(t.topicId(), p.partitionIndex()));
                if (f != null) {
                    take(f, p);
                }
            }
        }
        return true;
    }

    private static String key(Uuid topicId, int partition) {
        return topicId + "/" + partition;
    }

    /** Applies one partition's answer to this node's replica. */
    private void take(FollowedPartition f, FetchResponseData.PartitionData p) {
        PartitionLog plog = f.log();
        Errors error = Errors.forCode(p.errorCode());
        switch (error) {
            case NONE -> {
                if (FetchResponse.isDivergingEpoch(p)) {
                    truncate(f, p.divergingEpoch());
                    return;
                }
                besideBatches(f, p); // first: a replica killed after an append must not hold a batch without its key
                append(f, FetchResponse.recordsOrFail(p));
                changeReplica(f, () -> plog.raiseHighWatermark(p.highWatermark()));
            }
            case OFFSET_OUT_OF_RANGE -> {
                if (p.logStartOffset() > plog.logEndOffset()) {
                    log.info("{}: this replica (log {} to {}) ends before the leader's log start {} on node {}; "
                            + "starting again there", f, plog.logStartOffset(), plog.logEndOffset(),
                            p.logStartOffset(), leaderId);
                    changeReplica(f, () -> plog.resetTo(p.logStartOffset()));
                } else {
                    // Past the leader's log end with no epoch to compare: keep what is committed only.
                    long to = Math.max(plog.logStartOffset(), Math.min(plog.logEndOffset(), p.highWatermark()));
                    log.info("{}: this replica's log (to {}) is past the leader's log end on node {}; truncated to "
                            + "the leader's high watermark {}", f, plog.logEndOffset(), leaderId, to);
                    changeReplica(f, () -> plog.truncateTo(to));
                }
            }
            default -> {
                refused.put(f, System.nanoTime() + REFUSED_NANOS);
                log.debug("{}: node {} answered {}; asking again in a second or under a new epoch", f, leaderId,
                        error);
            }
        }
    }

    /** Hands what the leader sent beside the batches (its Idempotency-Key entries) to the replica. */
    private void besideBatches(FollowedPartition f, FetchResponseData.PartitionData p) {
        for (RawTaggedField field : p.unknownTaggedFields()) {
            if (field.tag() == ReplicaSource.BESIDE_BATCHES_TAG) {
                try {
                    f.beside().received(field.data());
                } catch (IOException e) {
                    // The batches are kept: a retry of one of their keys through this replica writes again.
                    log.warn("{}: unreadable Idempotency-Key entries from node {}: {}", f, leaderId, e.getMessage());
                }
            }
        }
    }

    private void truncate(FollowedPartition f, FetchResponseData.EpochEndOffset diverging) {
        PartitionLog plog = f.log();
        LeaderEpochs.EpochEnd own = plog.endOffsetForEpoch(diverging.epoch());
        long to = own.epoch() < 0 ? plog.logStartOffset() : Math.min(own.endOffset(), diverging.endOffset());
        long before = plog.logEndOffset();
        changeReplica(f, () -> plog.truncateTo(to));
        log.info("{}: this replica's log diverged from the leader's on node {} (its epoch {} ends at {}); "
                + "truncated from {} to {}", f, leaderId, diverging.epoch(), diverging.endOffset(), before,
                plog.logEndOffset());
    }

    /**
     * Runs a change of this node's replica. A failure there is its storage's, not the leader's answer's: the
     * replica is told ({@link FollowedPartition#storageFailed}: it steps aside) unless this fetcher is closing (a
     * node that stops closes its logs).
     */
    private void changeReplica(FollowedPartition f, Runnable change) {
        try {
            change.run();
        } catch (RuntimeException e) {
            if (!closed) {
                f.storageFailed().accept(e);
            }
            throw e;
        }
    }

    /**
     * Appends the answer's batches (the log's own layout, back to back) that continue this log, with
     * one write for all of them (as Kafka's follower appends a partition's answer).
     */
    private void append(FollowedPartition f, Records records) {
        if (!(records instanceof MemoryRecords memory)) {
            throw new IllegalStateException(f + ": records of an unexpected kind " + records.getClass());
        }
        ByteBuffer bytes = memory.buffer(); // a view of the answer's heap array
        if (!bytes.hasRemaining()) {
            return;
        }
        byte[] array = bytes.array();
        int pos = bytes.arrayOffset() + bytes.position();
        int end = pos + bytes.remaining();
        PartitionLog plog = f.log();
        List<RecordBatch> run = new ArrayList<>();
        long next = plog.logEndOffset();
        while (pos < end) {
            if (end - pos < RecordBatch.HEADER_SIZE) {
                throw new IllegalStateException(f + ": a truncated batch in the leader's answer");
            }
            int size = RecordBatch.sizeAt(array, pos);
            if (size < RecordBatch.HEADER_SIZE || size > end - pos) {
                throw new IllegalStateException(f + ": a batch of " + size + " bytes in an answer with " + (end - pos)
                        + " left");
            }
            RecordBatch batch = RecordBatch.view(array, pos, size);
            batch.ensureValid();
            if (batch.baseOffset() == next) {
                run.add(batch);
                next = batch.nextOffset();
            } else if (batch.nextOffset() > next) {
                // Not at the log end: the log changed since the fetch was sent (a truncation or reset)
                // or the answer is wrong; either way the next fetch asks again from the log end.
                break;
            }
            pos += size;
        }
        if (!run.isEmpty()) {
            changeReplica(f, () -> plog.appendCopied(run));
        }
    }

    private void pause() {
        try {
            Thread.sleep(settings.pause().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    private void closeClient() {
        ReplicaFetchClient c = client;
        client = null;
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                log.debug("closing the connection to node {} failed", leaderId, e);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
        closeClient(); // a read blocked on the socket does not see the interrupt
    }
}
