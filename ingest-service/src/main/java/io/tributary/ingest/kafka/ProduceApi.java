package io.tributary.ingest.kafka;

import java.util.concurrent.CompletableFuture;

import io.tributary.ingest.acl.Operation;
import io.tributary.ingest.config.IngestProperties;
import io.tributary.ingest.log.AppendResult;
import io.tributary.ingest.produce.ProduceRequestParser;
import io.tributary.ingest.produce.ProduceService;
import io.tributary.ingest.topic.TopicRegistry;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce: each partition's batches are decoded ({@link KafkaBatches#fromKafka}), checked
 * ({@link KafkaRecordCheck}: the REST API's rules for values, keys and timestamps) and appended
 * through {@link ProduceService#appendBatch}, the REST path's checks and, on a cluster, its Raft
 * group; each partition gets its own error code. {@code acks=0} is answered with nothing (the
 * connection sends no response), {@code acks=1} and {@code acks=-1} both wait for the append as a
 * REST produce does (on a cluster: committed on a majority; docs/kafka-protocol.md).
 */
final class ProduceApi implements KafkaApis.Handler {

    private static final Logger log = LoggerFactory.getLogger(ProduceApi.class);

    private final KafkaTopics topics;
    private final ProduceService produce;
    private final IngestProperties.Produce limits;

    private final KafkaBrokers brokers;

    ProduceApi(KafkaTopics topics, KafkaBrokers brokers, ProduceService produce, IngestProperties.Produce limits) {
        this.topics = topics;
        this.brokers = brokers;
        this.produce = produce;
        this.limits = limits;
    }

    @Override
    public CompletableFuture<ProduceResponse> handle(KafkaRequest request) {
        ProduceRequest req = (ProduceRequest) request.body();
        if (req.transactionalId() != null) {
            return CompletableFuture.completedFuture(req.getErrorResponse(0,
                    Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.exception("transactions are not supported")));
        }
        ProduceResponseData data = new ProduceResponseData();
        for (ProduceRequestData.TopicProduceData t : req.data().topicData()) {
            TopicRegistry.Topic topic = topics.resolve(t.name(), t.topicId());
            TopicProduceResponse out = new TopicProduceResponse().setName(t.name()).setTopicId(t.topicId());
            for (ProduceRequestData.PartitionProduceData p : t.partitionData()) {
                out.partitionResponses().add(append(topic, t, p));
            }
            data.responses().add(out);
        }
        return CompletableFuture.completedFuture(new ProduceResponse(data));
    }

    private PartitionProduceResponse append(TopicRegistry.Topic topic, ProduceRequestData.TopicProduceData t,
                                            ProduceRequestData.PartitionProduceData p) {
        PartitionProduceResponse out = new PartitionProduceResponse().setIndex(p.index()).setBaseOffset(-1)
                .setLogAppendTimeMs(-1).setLogStartOffset(-1);
        if (topic == null) {
            return out.setErrorCode(t.name() == null || t.name().isEmpty() ? Errors.UNKNOWN_TOPIC_ID.code()
                    : Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        if (!topics.may(topic.name(), Operation.WRITE)) {
            return out.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        }
        if (p.index() < 0 || p.index() >= topic.partitions().size()) {
            return out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        if (!brokers.leads(topic, p.index())) {
            return out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
        }
        if (!(p.records() instanceof MemoryRecords records)) {
            return out.setErrorCode(Errors.CORRUPT_MESSAGE.code());
        }
        try {
            long first = -1;
            for (MutableRecordBatch batch : records.batches()) {
                KafkaBatches.Produced decoded = KafkaBatches.fromKafka(batch);
                KafkaRecordCheck.check(decoded.records(), ProduceRequestParser.Limits.of(limits,
                        System.currentTimeMillis()), !topic.config().binaryValues());
                AppendResult result = produce.appendBatch(topic.name(), p.index(), decoded.records(),
                        decoded.producer());
                if (first < 0) {
                    first = result.baseOffset();
                }
            }
            if (first < 0) {
                return out.setErrorCode(Errors.INVALID_RECORD.code()).setErrorMessage("no record batch in the request");
            }
            return out.setBaseOffset(first);
        } catch (RuntimeException e) {
            Errors error = KafkaErrors.of(e);
            if (error == Errors.UNKNOWN_SERVER_ERROR) {
                log.warn("Kafka produce to {}-{} failed", topic.name(), p.index(), e);
            }
            return out.setErrorCode(error.code()).setErrorMessage(e.getMessage());
        }
    }
}
