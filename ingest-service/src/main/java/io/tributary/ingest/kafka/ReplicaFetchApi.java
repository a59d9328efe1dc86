package io.tributary.ingest.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import io.tributary.ingest.log.BatchRegion;
import io.tributary.ingest.log.LeaderEpochs;
import io.tributary.ingest.log.PartitionLog;
import io.tributary.ingest.log.RegionFetchResult;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.EpochEndOffset;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follower's Fetch on the replication listener, Kafka's replica fetch: for each partition asked
 * (by topic id) the leader checks the follower's view of the leader epoch, then whether the
 * follower's log diverges from its own (the epoch of the follower's last batch and where that
 * epoch ends here: if it ends before the fetch offset, the answer names it as the diverging epoch
 * and the follower truncates there), records the fetch offset as the follower's progress
 * ({@link ReplicaSource.Replica#fetchedBy}) and answers the stored batches from the fetch offset up
 * to its log end ({@link PartitionLog#readRegionsForReplica}, past the high watermark), in the log's
 * own layout ({@link StoredLogRecords}), with its high watermark and log start. When no partition
 * has a batch to send the fetch waits up to {@code max_wait_ms} for an append to any of them, or
 * for the high watermark of one to pass the value answered when it is below the follower's fetch
 * offset (the follower then learns at once that what it holds is committed).
 *
 * <p>Errors, per partition, as Kafka names them: a partition not held here
 * {@code UNKNOWN_TOPIC_OR_PARTITION}; not led here {@code NOT_LEADER_OR_FOLLOWER}; a follower
 * behind on the leader epoch {@code FENCED_LEADER_EPOCH}, ahead {@code UNKNOWN_LEADER_EPOCH}; a
 * fetch offset outside the log, or a last fetched epoch older than the log's history,
 * {@code OFFSET_OUT_OF_RANGE} (with the log start: the follower starts again there). A request without a replica id is refused whole ({@code INVALID_REQUEST}).
 */
final class ReplicaFetchApi implements KafkaApis.Handler {

    private static final Logger log = LoggerFactory.getLogger(ReplicaFetchApi.class);

    private final ReplicaSource source;
    private final long maxWaitMs;
    private final Executor completions;

    ReplicaFetchApi(ReplicaSource source, long maxWaitMs, Executor completions) {
        this.source = source;
        this.maxWaitMs = maxWaitMs;
        this.completions = completions;
    }

    /** One partition asked for, with its replica here (null: not held here). */
    private record Asked(FetchRequestData.FetchTopic topic, FetchRequestData.FetchPartition partition,
                         ReplicaSource.Replica replica) {
    }

    @Override
    public CompletableFuture<FetchResponse> handle(KafkaRequest request) {
        FetchRequest fetch = (FetchRequest) request.body();
        FetchRequestData req = fetch.data();
        int replicaId = fetch.replicaId();
        if (replicaId < 0) {
            return CompletableFuture.completedFuture(FetchResponse.of(new FetchResponseData()
                    .setErrorCode(Errors.INVALID_REQUEST.code())));
        }
        List<Asked> asked = new ArrayList<>();
        for (FetchRequestData.FetchTopic t : req.topics()) {
            for (FetchRequestData.FetchPartition p : t.partitions()) {
                asked.add(new Asked(t, p, source.replica(t.topicId(), p.partition())));
            }
        }
        List<PartitionData> first = new ArrayList<>(asked.size());
        int bytes = 0;
        int left = req.maxBytes();
        for (Asked a : asked) {
            PartitionData d = read(a, replicaId, left, true);
            first.add(d);
            int size = d.records().sizeInBytes();
            bytes += size;
            left -= size;
        }
        boolean anyError = first.stream().anyMatch(d -> d.errorCode() != Errors.NONE.code()
                || d.divergingEpoch().epoch() >= 0);
        long wait = Math.min(req.maxWaitMs(), maxWaitMs);
        if (bytes > 0 || anyError || wait <= 0 || asked.isEmpty()) {
            return CompletableFuture.completedFuture(response(asked, first));
        }
        List<CompletableFuture<Void>> appends = new ArrayList<>(asked.size());
        for (int i = 0; i < asked.size(); i++) {
            Asked a = asked.get(i);
            appends.add(a.replica().log().awaitAppend(a.partition().fetchOffset()));
            long answeredHighWatermark = first.get(i).highWatermark();
            if (answeredHighWatermark >= 0 && answeredHighWatermark < a.partition().fetchOffset()) {
                // The follower holds batches the high watermark has not passed yet: answer as soon as it
                // does, so that a read through the follower waits for no further append (or max wait).
                appends.add(a.replica().log().awaitData(answeredHighWatermark));
            }
        }
        return CompletableFuture.anyOf(appends.toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, wait, TimeUnit.MILLISECONDS)
                .handleAsync((v, e) -> {
                    appends.forEach(f -> f.cancel(false)); // parked waiters leave their logs
                    List<PartitionData> again = new ArrayList<>(asked.size());
                    int room = req.maxBytes();
                    for (Asked a : asked) {
                        PartitionData d = read(a, replicaId, room, false);
                        again.add(d);
                        room -= d.records().sizeInBytes();
                    }
                    return response(asked, again);
                }, completions);
    }

    /**
     * Reads one partition for the follower; {@code record}: whether this read reports the fetch
     * offset as the follower's progress (the first read of a request; the one after a wait asks
     * for the same offset).
     */
    private PartitionData read(Asked a, int replicaId, int left, boolean record) {
        FetchRequestData.FetchPartition p = a.partition();
        PartitionData out = FetchApi.unanswered(p.partition());
        ReplicaSource.Replica replica = a.replica();
        if (replica == null) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        int epoch = replica.leaderEpoch();
        if (epoch < 0) {
            return out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
        }
        if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() < epoch) {
            return out.setErrorCode(Errors.FENCED_LEADER_EPOCH.code());
        }
        if (p.currentLeaderEpoch() > epoch) {
            return out.setErrorCode(Errors.UNKNOWN_LEADER_EPOCH.code());
        }
        PartitionLog plog = replica.log();
        out.setHighWatermark(plog.highWatermark()).setLastStableOffset(plog.highWatermark())
                .setLogStartOffset(plog.logStartOffset());
        long offset = p.fetchOffset();
        if (offset < plog.logStartOffset()) {
            return out.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
        }
        // Divergence before the log end: a follower whose log is longer than this one (an earlier
        // leader's suffix) learns where to truncate instead of being told its offset is out of range.
        if (p.lastFetchedEpoch() >= 0) {
            LeaderEpochs.EpochEnd end = plog.endOffsetForEpoch(p.lastFetchedEpoch());
            if (end.epoch() < 0) {
                // Older than this log's history (retention took it): nothing to compare against; the
                // follower starts again at this log's start.
                return out.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
            }
            if (end.epoch() != p.lastFetchedEpoch() || end.endOffset() < offset) {
                // The follower's last batch is of an epoch that ends earlier here (or never was):
                // what it holds from there on was never replicated; it truncates before fetching on.
                out.divergingEpoch().setEpoch(end.epoch()).setEndOffset(end.endOffset());
                return out;
            }
        }
        if (offset > plog.logEndOffset()) {
            return out.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
        }
        if (record) {
            replica.fetchedBy(replicaId, offset);
        }
        try {
            int limit = Math.max(1, Math.min(p.partitionMaxBytes(), left));
            RegionFetchResult result = plog.readRegionsForReplica(offset, limit);
            List<BatchRegion> batches = new ArrayList<>(result.regions().size());
            int bytes = 0;
            for (BatchRegion b : result.regions()) {
                if (b.baseOffset() < offset) {
                    continue; // cannot happen at a batch boundary; a follower's log end always is one
                }
                if (!batches.isEmpty() && bytes + b.sizeInBytes() > limit) {
                    break;
                }
                if (left <= 0) {
                    break; // the request's max_bytes went to earlier partitions
                }
                batches.add(b);
                bytes += b.sizeInBytes();
            }
            // Read after the regions: never above what they reach.
            out.setHighWatermark(Math.min(plog.highWatermark(), result.logEndOffset()))
                    .setLastStableOffset(out.highWatermark())
                    .setRecords(batches.isEmpty() ? MemoryRecords.EMPTY : StoredLogRecords.of(batches));
            if (!batches.isEmpty()) {
                byte[] beside = replica.besideBatches(batches.get(0).baseOffset(),
                        batches.get(batches.size() - 1).nextOffset());
                if (beside != null) {
                    out.unknownTaggedFields().add(new RawTaggedField(ReplicaSource.BESIDE_BATCHES_TAG, beside));
                }
            }
            return out;
        } catch (RuntimeException e) {
            Errors error = KafkaErrors.of(e);
            if (error == Errors.UNKNOWN_SERVER_ERROR) {
                log.warn("a follower's fetch of {}-{} failed", a.topic().topicId(), p.partition(), e);
            }
            return out.setErrorCode(error.code());
        }
    }

    private static FetchResponse response(List<Asked> asked, List<PartitionData> reads) {
        FetchResponseData data = new FetchResponseData().setSessionId(0);
        FetchableTopicResponse current = null;
        for (int i = 0; i < asked.size(); i++) {
            Asked a = asked.get(i);
            if (current == null || !current.topicId().equals(a.topic().topicId())) {
                current = new FetchableTopicResponse().setTopicId(a.topic().topicId()).setTopic(a.topic().topic());
                data.responses().add(current);
            }
            current.partitions().add(reads.get(i));
        }
        return FetchResponse.of(data);
    }
}
