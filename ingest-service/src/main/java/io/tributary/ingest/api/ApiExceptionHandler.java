package io.tributary.ingest.api;

import io.tributary.ingest.problem.ProblemException;
import io.tributary.ingest.problem.ProblemType;

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
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Maps every failure to an RFC 9457 problem with a {@code retriable} flag. Domain exceptions
 * map to their {@link ProblemType}; Spring MVC's own (unreadable body, missing parameter,
 * wrong media type, unknown path) keep their status and gain the flag; anything unexpected is
 * a 500 without internals in the body, logged with its stack trace.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(ProblemException.class)
    ResponseEntity<ProblemDetail> problem(ProblemException e) {
        return respond(e.type(), e.getMessage(), e.properties());
    }

    @ExceptionHandler({InvalidProduceRequestException.class, IllegalArgumentException.class})
    ResponseEntity<ProblemDetail> invalidRequest(RuntimeException e) {
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

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("unexpected failure", e);
        return respond(ProblemType.INTERNAL_ERROR, "an unexpected error occurred; it has been logged", Map.of());
    }

    /** Spring MVC's own exceptions: keep their status and detail, add our type and flag. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                             HttpStatusCode statusCode, WebRequest request) {
        ProblemDetail problem = body instanceof ProblemDetail pd ? pd
                : ProblemDetail.forStatusAndDetail(statusCode, ex.getMessage());
        ProblemType type = switch (statusCode.value()) {
            case 404 -> ProblemType.NOT_FOUND;
            case 405 -> ProblemType.METHOD_NOT_ALLOWED;
            case 406 -> ProblemType.NOT_ACCEPTABLE;
            case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
            case 503 -> ProblemType.STORAGE_ERROR;
            default -> statusCode.is5xxServerError() ? ProblemType.INTERNAL_ERROR : ProblemType.INVALID_REQUEST;
        };
        problem.setType(type.uri());
        problem.setProperty("retriable", statusCode.is5xxServerError());
        HttpHeaders out = new HttpHeaders();
        out.addAll(headers);
        out.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return ResponseEntity.status(statusCode).headers(out).body(problem);
    }

    static ResponseEntity<ProblemDetail> respond(ProblemType type, String detail, Map<String, Object> properties) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(type.status(), detail);
        problem.setType(type.uri());
        problem.setTitle(type.title());
        problem.setProperty("retriable", type.retriable());
        properties.forEach(problem::setProperty);
        return ResponseEntity.status(type.status()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
