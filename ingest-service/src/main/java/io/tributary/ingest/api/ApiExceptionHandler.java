package io.tributary.ingest.api;

import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;

import java.io.UncheckedIOException;
import java.util.Map;

import io.tributary.ingest.log.CorruptRecordException;
import io.tributary.ingest.log.DuplicateSequenceException;
import io.tributary.ingest.log.InvalidRecordException;
import io.tributary.ingest.log.LogConfig;
import io.tributary.ingest.log.OffsetOutOfRangeException;
import io.tributary.ingest.log.OutOfOrderSequenceException;
import io.tributary.ingest.log.ProducerFencedException;
import io.tributary.ingest.log.RecordTooLargeException;
import io.tributary.ingest.produce.IdempotencyKeyReusedException;
import io.tributary.ingest.produce.InvalidProduceRequestException;
import io.tributary.ingest.topic.InvalidTopicException;
import io.tributary.ingest.topic.TopicExistsException;
import io.tributary.ingest.topic.UnknownTopicException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import io.tributary.support.problem.ProblemHandlerSupport;

/**
 * Maps the ingest domain's exceptions to their entries of the platform's problem catalogue
 * ({@link ProblemType}); Spring MVC's own errors and anything unexpected (a bug: a 500 with the request
 * id, never the failure's internals) are {@link ProblemHandlerSupport}'s.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ProblemHandlerSupport {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(ProblemException.class)
    ResponseEntity<ProblemDetail> problem(ProblemException e) {
        return respond(e.type(), e.getMessage(), e.properties());
    }

    @ExceptionHandler(InvalidProduceRequestException.class)
    ResponseEntity<ProblemDetail> invalidRequest(InvalidProduceRequestException e) {
        return respond(ProblemType.INVALID_REQUEST, e.getMessage(), Map.of());
    }

    @ExceptionHandler(InvalidTopicException.class)
    ResponseEntity<ProblemDetail> invalidTopic(InvalidTopicException e) {
        return respond(ProblemType.INVALID_TOPIC, e.getMessage(), Map.of());
    }

    @ExceptionHandler(LogConfig.InvalidConfigException.class)
    ResponseEntity<ProblemDetail> invalidConfig(LogConfig.InvalidConfigException e) {
        return respond(ProblemType.INVALID_CONFIG, e.getMessage(), Map.of("config", e.key()));
    }

    @ExceptionHandler(InvalidRecordException.class)
    ResponseEntity<ProblemDetail> invalidRecord(InvalidRecordException e) {
        return respond(ProblemType.INVALID_RECORD, e.getMessage(), Map.of());
    }

    @ExceptionHandler(RecordTooLargeException.class)
    ResponseEntity<ProblemDetail> tooLarge(RecordTooLargeException e) {
        return respond(ProblemType.RECORD_TOO_LARGE, e.getMessage(), Map.of());
    }

    @ExceptionHandler(UnknownTopicException.class)
    ResponseEntity<ProblemDetail> unknownTopic(UnknownTopicException e) {
        return respond(ProblemType.UNKNOWN_TOPIC, e.getMessage(), Map.of());
    }

    @ExceptionHandler(TopicExistsException.class)
    ResponseEntity<ProblemDetail> topicExists(TopicExistsException e) {
        return respond(ProblemType.TOPIC_EXISTS, e.getMessage(), Map.of());
    }

    @ExceptionHandler(OffsetOutOfRangeException.class)
    ResponseEntity<ProblemDetail> offsetOutOfRange(OffsetOutOfRangeException e) {
        return respond(ProblemType.OFFSET_OUT_OF_RANGE, e.getMessage(),
                Map.of("logStartOffset", e.logStartOffset(), "logEndOffset", e.logEndOffset()));
    }

    @ExceptionHandler(ProducerFencedException.class)
    ResponseEntity<ProblemDetail> fenced(ProducerFencedException e) {
        return respond(ProblemType.PRODUCER_FENCED, e.getMessage(), Map.of());
    }

    @ExceptionHandler(OutOfOrderSequenceException.class)
    ResponseEntity<ProblemDetail> outOfOrder(OutOfOrderSequenceException e) {
        return respond(ProblemType.OUT_OF_ORDER_SEQUENCE, e.getMessage(), Map.of("lastSequence", e.lastSequence()));
    }

    @ExceptionHandler(DuplicateSequenceException.class)
    ResponseEntity<ProblemDetail> duplicate(DuplicateSequenceException e) {
        return respond(ProblemType.DUPLICATE_SEQUENCE, e.getMessage(), Map.of());
    }

    @ExceptionHandler(IdempotencyKeyReusedException.class)
    ResponseEntity<ProblemDetail> keyReused(IdempotencyKeyReusedException e) {
        return respond(ProblemType.IDEMPOTENCY_KEY_REUSED, e.getMessage(), Map.of());
    }

    @ExceptionHandler({UncheckedIOException.class, CorruptRecordException.class})
    ResponseEntity<ProblemDetail> storage(RuntimeException e) {
        log.error("storage failure", e);
        return respond(ProblemType.STORAGE_ERROR, "the log could not complete the request: " + e.getMessage(), Map.of());
    }

}
