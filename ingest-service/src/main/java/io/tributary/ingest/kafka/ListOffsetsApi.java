package io.tributary.ingest.kafka;

import java.util.concurrent.CompletableFuture;

import io.tributary.ingest.acl.Operation;
import io.tributary.ingest.fetch.FetchPosition;
import io.tributary.ingest.fetch.FetchService;
import io.tributary.ingest.log.FetchResult;
import io.tributary.ingest.log.Record;
import io.tributary.ingest.log.RecordBatch;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;

/**
 * ListOffsets: earliest (-2, and -4, the earliest local: the log has no remote tier) is the log
 * start; latest (-1, and -5) is the high watermark; a timestamp gives the first record at or after
 * it with that record's timestamp, or offset -1 and timestamp -1 when no record is that new, as
 * Kafka answers. The maximum timestamp (-3) is not offered: UNSUPPORTED_VERSION.
 */
final class ListOffsetsApi implements KafkaApis.Handler {

    private final KafkaTopics topics;
    private final FetchService fetch;

    private final KafkaBrokers brokers;

    ListOffsetsApi(KafkaTopics topics, KafkaBrokers brokers, FetchService fetch) {
        this.topics = topics;
        this.brokers = brokers;
        this.fetch = fetch;
    }

    @Override
    public CompletableFuture<ListOffsetsResponse> handle(KafkaRequest request) {
        ListOffsetsRequestData req = ((ListOffsetsRequest) request.body()).data();
        ListOffsetsResponseData data = new ListOffsetsResponseData();
        for (ListOffsetsRequestData.ListOffsetsTopic t : req.topics()) {
            TopicRegistry.Topic topic = topics.byName(t.name());
            ListOffsetsTopicResponse out = new ListOffsetsTopicResponse().setName(t.name());
            for (ListOffsetsRequestData.ListOffsetsPartition p : t.partitions()) {
                out.partitions().add(lookup(topic, p));
            }
            data.topics().add(out);
        }
        return CompletableFuture.completedFuture(new ListOffsetsResponse(data));
    }

    private ListOffsetsPartitionResponse lookup(TopicRegistry.Topic topic, ListOffsetsRequestData.ListOffsetsPartition p) {
        ListOffsetsPartitionResponse out = new ListOffsetsPartitionResponse().setPartitionIndex(p.partitionIndex())
                .setOffset(-1).setTimestamp(-1).setLeaderEpoch(-1);
        if (topic == null || p.partitionIndex() < 0 || p.partitionIndex() >= topic.partitions().size()) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        if (!topics.may(topic.name(), Operation.DESCRIBE)) {
            return out.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        }
        if (!brokers.leads(topic, p.partitionIndex())) {
            return out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
        }
        long ts = p.timestamp();
        try {
            if (ts == ListOffsetsRequest.EARLIEST_TIMESTAMP || ts == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
                return out.setOffset(fetch.bounds(topic.name(), p.partitionIndex()).logStartOffset());
            }
            if (ts == ListOffsetsRequest.LATEST_TIMESTAMP || ts == ListOffsetsRequest.LATEST_TIERED_TIMESTAMP) {
                return out.setOffset(fetch.bounds(topic.name(), p.partitionIndex()).highWatermark());
            }
            if (ts < 0) {
                return out.setErrorCode(Errors.UNSUPPORTED_VERSION.code());
            }
            return byTimestamp(topic, p.partitionIndex(), ts, out);
        } catch (RuntimeException e) {
            return out.setErrorCode(KafkaErrors.of(e).code());
        }
    }

    private ListOffsetsPartitionResponse byTimestamp(TopicRegistry.Topic topic, int partition, long ts,
                                                     ListOffsetsPartitionResponse out) {
        long hw = fetch.bounds(topic.name(), partition).highWatermark();
        long offset = fetch.offsetForTimestamp(topic.name(), partition, ts);
        if (offset < 0 || offset >= hw) {
            return out; // no record that new: -1 / -1
        }
        FetchResult read = fetch.readBatches(new FetchPosition(topic.name(), partition, offset), 1);
        for (RecordBatch b : read.batches()) {
            for (Record r : b) {
                if (r.offset() >= offset && r.timestamp() >= ts) {
                    return out.setOffset(r.offset()).setTimestamp(r.timestamp());
                }
            }
        }
        return out;
    }
}
