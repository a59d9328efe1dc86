package io.tributary.ingest.kafka;

import java.util.concurrent.CompletionException;

import io.tributary.ingest.acl.AuthorizationFailedException;
import io.tributary.ingest.log.CorruptRecordException;
import io.tributary.ingest.log.DuplicateSequenceException;
import io.tributary.ingest.log.InvalidRecordException;
import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.log.OffsetOutOfRangeException;
import io.tributary.ingest.log.OutOfOrderSequenceException;
import io.tributary.ingest.log.ProducerFencedException;
import io.tributary.ingest.log.RecordTooLargeException;
import io.tributary.ingest.problem.ProblemException;
import io.tributary.ingest.topic.InvalidTopicException;
import io.tributary.ingest.topic.TopicExistsException;
import io.tributary.ingest.topic.UnknownTopicException;
import org.apache.kafka.common.protocol.Errors;

/**
 * The Kafka error code for each failure of the log and the services, the same decision the REST
 * API's problem types make. Anything not listed is {@link Errors#UNKNOWN_SERVER_ERROR}, which the
 * caller logs.
 */
final class KafkaErrors {

    private KafkaErrors() {
    }

    static Errors of(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof UnknownTopicException) {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        if (t instanceof TopicExistsException) {
            return Errors.TOPIC_ALREADY_EXISTS;
        }
        if (t instanceof InvalidTopicException) {
            return Errors.INVALID_TOPIC_EXCEPTION;
        }
        if (t instanceof LogConfig.InvalidConfigException) {
            return Errors.INVALID_CONFIG;
        }
        if (t instanceof InvalidRecordException) {
            return Errors.INVALID_RECORD;
        }
        if (t instanceof CorruptRecordException) {
            return Errors.CORRUPT_MESSAGE;
        }
        if (t instanceof RecordTooLargeException) {
            return Errors.MESSAGE_TOO_LARGE;
        }
        if (t instanceof OffsetOutOfRangeException) {
            return Errors.OFFSET_OUT_OF_RANGE;
        }
        if (t instanceof OutOfOrderSequenceException) {
            return Errors.OUT_OF_ORDER_SEQUENCE_NUMBER;
        }
        if (t instanceof DuplicateSequenceException) {
            return Errors.DUPLICATE_SEQUENCE_NUMBER;
        }
        if (t instanceof ProducerFencedException) {
            return Errors.INVALID_PRODUCER_EPOCH;
        }
        if (t instanceof AuthorizationFailedException) {
            return Errors.TOPIC_AUTHORIZATION_FAILED;
        }
        if (t instanceof ProblemException p) {
            return switch (p.type()) {
                case NOT_ENOUGH_REPLICAS -> Errors.NOT_ENOUGH_REPLICAS;
                case STORAGE_ERROR -> Errors.KAFKA_STORAGE_ERROR;
                case PARTITION_NOT_HOSTED, NODE_NOT_READY -> Errors.NOT_LEADER_OR_FOLLOWER;
                case COORDINATOR_NOT_AVAILABLE -> Errors.COORDINATOR_NOT_AVAILABLE;
                case LIMIT_REACHED, CAPACITY_EXCEEDED -> Errors.POLICY_VIOLATION;
                case INVALID_CONFIG -> Errors.INVALID_CONFIG;
                case INVALID_TOPIC -> Errors.INVALID_TOPIC_EXCEPTION;
                case INVALID_RECORD -> Errors.INVALID_RECORD;
                case UNKNOWN_TOPIC -> Errors.UNKNOWN_TOPIC_OR_PARTITION;
                case AUTHORIZATION_FAILED, FORBIDDEN -> Errors.TOPIC_AUTHORIZATION_FAILED;
                case INVALID_REQUEST -> Errors.INVALID_REQUEST;
                case REASSIGNMENT_IN_PROGRESS -> Errors.REASSIGNMENT_IN_PROGRESS;
                case NO_REASSIGNMENT_IN_PROGRESS -> Errors.NO_REASSIGNMENT_IN_PROGRESS;
                default -> Errors.UNKNOWN_SERVER_ERROR;
            };
        }
        return Errors.UNKNOWN_SERVER_ERROR;
    }

    static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
