package io.tributary.ingest.kafka;

import java.util.ArrayList;
import java.util.List;
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
 * group; each partition gets its own error code (the first refused batch's, when one of several
 * is). {@code acks=0} is answered with nothing (the connection sends no response), {@code acks=1}
 * and {@code acks=-1} both wait for the append as a REST produce does (on a cluster: committed on a
 * majority; docs/kafka-protocol.md).
 */
final class ProduceApi implements KafkaApis.Handler {

    private static final Logger log = LoggerFactory.getLogger(ProduceApi.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

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

    /**
     * Hands every partition's batches over before it returns (in the order of the request), then
     * answers once all are appended: the connection starts its next produce request as soon as
     * this returns ({@link KafkaConnection}), so a producer's pipelined batches of a partition are
     * queued in the order it sent them and can share one Raft entry.
     */
    @Override
    public CompletableFuture<ProduceResponse> handle(KafkaRequest request) {
        ProduceRequest req = (ProduceRequest) request.body();
        if (req.transactionalId() != null) {
            return CompletableFuture.completedFuture(req.getErrorResponse(0,
                    Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.exception("transactions are not supported")));
        }
        ProduceResponseData data = new ProduceResponseData();
        List<CompletableFuture<Void>> appends = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData t : req.data().topicData()) {
            TopicRegistry.Topic topic = topics.resolve(t.name(), t.topicId());
            TopicProduceResponse out = new TopicProduceResponse().setName(t.name()).setTopicId(t.topicId());
            for (ProduceRequestData.PartitionProduceData p : t.partitionData()) {
                PartitionProduceResponse answer = new PartitionProduceResponse().setIndex(p.index()).setBaseOffset(-1)
                        .setLogAppendTimeMs(-1).setLogStartOffset(-1);
                out.partitionResponses().add(answer);
                appends.add(append(topic, t, p, answer));
            }
            data.responses().add(out);
        }
        return CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new))
                .thenApply(v -> new ProduceResponse(data));
    }

    /** Hands one partition's batches over; the future fills {@code out} in and never fails. */
    private CompletableFuture<Void> append(TopicRegistry.Topic topic, ProduceRequestData.TopicProduceData t,
                                           ProduceRequestData.PartitionProduceData p, PartitionProduceResponse out) {
        if (topic == null) {
            out.setErrorCode(t.name() == null || t.name().isEmpty() ? Errors.UNKNOWN_TOPIC_ID.code()
                    : Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            return DONE;
        }
        if (!topics.may(topic.name(), Operation.WRITE)) {
            out.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
            return DONE;
        }
        if (p.index() < 0 || p.index() >= topic.partitions().size()) {
            out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            return DONE;
        }
        if (!brokers.leads(topic, p.index())) {
            out.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
            return DONE;
        }
        if (!(p.records() instanceof MemoryRecords records)) {
            out.setErrorCode(Errors.CORRUPT_MESSAGE.code());
            return DONE;
        }
        List<CompletableFuture<AppendResult>> batches = new ArrayList<>();
        try {
            for (MutableRecordBatch batch : records.batches()) {
                KafkaBatches.Produced decoded = KafkaBatches.fromKafka(batch);
                KafkaRecordCheck.check(decoded.records(), ProduceRequestParser.Limits.of(limits,
                        System.currentTimeMillis()), !topic.config().binaryValues());
                batches.add(produce.appendBatch(topic.name(), p.index(), decoded.records(), decoded.producer()));
            }
        } catch (RuntimeException e) {
            // Refused before it was handed over; batches of the request handed over before it still go.
            batches.add(CompletableFuture.failedFuture(e));
        }
        if (batches.isEmpty()) {
            out.setErrorCode(Errors.INVALID_RECORD.code()).setErrorMessage("no record batch in the request");
            return DONE;
        }
        return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new)).handle((v, e) -> {
            // The first refused batch in request order answers for the partition.
            Throwable failure = batches.stream().filter(CompletableFuture::isCompletedExceptionally)
                    .map(CompletableFuture::exceptionNow).findFirst().orElse(null);
            if (failure == null) {
                out.setBaseOffset(batches.get(0).join().baseOffset());
                return null;
            }
            Errors error = KafkaErrors.of(failure);
            if (error == Errors.UNKNOWN_SERVER_ERROR) {
                log.warn("Kafka produce to {}-{} failed", topic.name(), p.index(), failure);
            }
            out.setErrorCode(error.code()).setErrorMessage(failure.getMessage());
            return null;
        });
    }
}
