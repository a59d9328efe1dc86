package io.tributary.ingest.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.tributary.ingest.acl.Operation;
import io.tributary.ingest.fetch.FetchPosition;
import io.tributary.ingest.fetch.FetchService;
import io.tributary.ingest.log.BatchRegion;
import io.tributary.ingest.log.RegionFetchResult;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetch: every partition asked is answered, in the order asked, with the stored batches from the
 * one holding the fetch offset on (in Kafka's layout, their records sent from the segment files by
 * {@link ResponseWriter}; the client
 * skips records before its offset, as with Kafka), within {@code partition_max_bytes} and the request's
 * {@code max_bytes} (the first batch goes whole, so a client always progresses). When less than
 * {@code min_bytes} is there, the fetch waits up to {@code max_wait_ms} (capped by
 * {@code ingest.fetch.max-wait}) for any of its partitions to get data, without holding a thread.
 * No fetch sessions: the answer's session id is 0, so clients send full requests.
 */
final class FetchApi implements KafkaApis.Handler {

    private static final Logger log = LoggerFactory.getLogger(FetchApi.class);

    private final KafkaTopics topics;
    private final FetchService fetch;

    private final KafkaBrokers brokers;

    FetchApi(KafkaTopics topics, KafkaBrokers brokers, FetchService fetch) {
        this.topics = topics;
        this.brokers = brokers;
        this.fetch = fetch;
    }

    /** One partition asked for, resolved. */
    private record Asked(String topicName, Uuid topicId, TopicRegistry.Topic topic,
                         FetchRequestData.FetchPartition partition) {
    }

    /** One read: the answer and the bytes it carries. */
    private record Read(PartitionData data, int bytes) {
    }

    @Override
    public CompletableFuture<FetchResponse> handle(KafkaRequest request) {
        FetchRequestData req = ((FetchRequest) request.body()).data();
        List<Asked> asked = new ArrayList<>();
        for (FetchRequestData.FetchTopic t : req.topics()) {
            TopicRegistry.Topic topic = topics.resolve(t.topic(), t.topicId());
            for (FetchRequestData.FetchPartition p : t.partitions()) {
                asked.add(new Asked(t.topic(), t.topicId(), topic, p));
            }
        }
        List<Read> first = readAll(asked, req.maxBytes());
        int bytes = first.stream().mapToInt(Read::bytes).sum();
        boolean anyError = first.stream().anyMatch(r -> r.data().errorCode() != Errors.NONE.code());
        if (bytes >= Math.max(req.minBytes(), 1) || anyError || req.maxWaitMs() <= 0 || asked.isEmpty()) {
            return CompletableFuture.completedFuture(response(asked, first));
        }
        List<FetchPosition> positions = new ArrayList<>(asked.size());
        for (Asked a : asked) {
            positions.add(new FetchPosition(a.topic().name(), a.partition().partition(), a.partition().fetchOffset()));
        }
        return fetch.awaitAny(positions, req.maxWaitMs())
                .thenApply(v -> response(asked, readAll(asked, req.maxBytes())));
    }

    private List<Read> readAll(List<Asked> asked, int maxBytes) {
        List<Read> out = new ArrayList<>(asked.size());
        int left = maxBytes;
        for (Asked a : asked) {
            Read r = read(a, left);
            out.add(r);
            left -= r.bytes();
        }
        return out;
    }

    private Read read(Asked a, int left) {
        FetchRequestData.FetchPartition p = a.partition();
        PartitionData out = FetchApi.unanswered(p.partition());
        if (a.topic() == null) {
            return new Read(out.setErrorCode((a.topicName() == null || a.topicName().isEmpty()
                    ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code()), 0);
        }
        if (!topics.may(a.topic().name(), Operation.READ)) {
            return new Read(out.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()), 0);
        }
        if (p.partition() < 0 || p.partition() >= a.topic().partitions().size()) {
            return new Read(out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()), 0);
        }
        if (!brokers.leads(a.topic(), p.partition())) {
            return new Read(out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()), 0);
        }
        try {
            int limit = Math.max(0, Math.min(p.partitionMaxBytes(), left));
            RegionFetchResult result = fetch.readRegions(
                    new FetchPosition(a.topic().name(), p.partition(), p.fetchOffset()), Math.max(limit, 1));
            List<BatchRegion> batches = new ArrayList<>(result.regions().size());
            int bytes = 0;
            for (BatchRegion b : result.regions()) {
                if (b.nextOffset() <= p.fetchOffset()) {
                    continue;
                }
                int size = KafkaBatches.kafkaSize(b);
                if (!batches.isEmpty() && bytes + size > limit) {
                    break;
                }
                if (batches.isEmpty() && limit == 0) {
                    break; // the request's max_bytes went to earlier partitions
                }
                batches.add(b);
                bytes += size;
            }
            out.setHighWatermark(result.highWatermark())
                    .setLastStableOffset(result.highWatermark())
                    .setLogStartOffset(result.logStartOffset())
                    .setRecords(batches.isEmpty() ? MemoryRecords.EMPTY
                            : new StoredBatchesRecords(batches, bytes));
            return new Read(out, bytes);
        } catch (RuntimeException e) {
            Errors error = KafkaErrors.of(e);
            if (error == Errors.UNKNOWN_SERVER_ERROR) {
                log.warn("Kafka fetch of {}-{} failed", a.topic().name(), p.partition(), e);
            }
            return new Read(out.setErrorCode(error.code()), 0);
        }
    }

    /** A partition's answer before its read: no records, every offset unknown (what an error answers). */
    static PartitionData unanswered(int partition) {
        return new PartitionData().setPartitionIndex(partition)
                .setHighWatermark(FetchResponse.INVALID_HIGH_WATERMARK)
                .setLastStableOffset(FetchResponse.INVALID_LAST_STABLE_OFFSET)
                .setLogStartOffset(FetchResponse.INVALID_LOG_START_OFFSET)
                .setRecords(MemoryRecords.EMPTY);
    }

    private static FetchResponse response(List<Asked> asked, List<Read> reads) {
        FetchResponseData data = new FetchResponseData().setSessionId(0);
        FetchableTopicResponse current = null;
        for (int i = 0; i < asked.size(); i++) {
            Asked a = asked.get(i);
            if (current == null || !sameTopic(current, a)) {
                current = new FetchableTopicResponse().setTopic(a.topicName() == null ? "" : a.topicName())
                        .setTopicId(a.topicId() == null ? Uuid.ZERO_UUID : a.topicId());
                data.responses().add(current);
            }
            current.partitions().add(reads.get(i).data());
        }
        return FetchResponse.of(data);
    }

    private static boolean sameTopic(FetchableTopicResponse r, Asked a) {
        return r.topic().equals(a.topicName() == null ? "" : a.topicName())
                && r.topicId().equals(a.topicId() == null ? Uuid.ZERO_UUID : a.topicId());
    }
}
