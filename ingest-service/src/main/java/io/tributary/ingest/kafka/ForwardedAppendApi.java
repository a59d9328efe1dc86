package io.tributary.ingest.kafka;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.EnvelopeRequest;
import org.apache.kafka.common.requests.EnvelopeResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The replication listener's Envelope: a produced batch a peer forwarded ({@link ForwardedAppend}). */
final class ForwardedAppendApi {

    private static final Logger log = LoggerFactory.getLogger(ForwardedAppendApi.class);

    private final ForwardedAppends appends;

    ForwardedAppendApi(ForwardedAppends appends) {
        this.appends = appends;
    }

    CompletableFuture<EnvelopeResponse> handle(KafkaRequest request) {
        ForwardedAppend append;
        try {
            append = ForwardedAppend.decode(((EnvelopeRequest) request.body()).requestData());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(refused(ProblemType.INVALID_REQUEST, e.getMessage()));
        }
        CompletableFuture<ByteBuffer> appended;
        try {
            appended = appends.append(append.topic(), append.partition(), append.part());
        } catch (RuntimeException e) {
            appended = CompletableFuture.failedFuture(e);
        }
        return appended.handle((reply, error) -> error == null ? new EnvelopeResponse(reply, Errors.NONE)
                : refusal(append, error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error));
    }

    private static EnvelopeResponse refusal(ForwardedAppend append, Throwable error) {
        if (error instanceof ProblemException problem) {
            return refused(problem.type(), problem.getMessage());
        }
        log.warn("a forwarded append to {}-{} failed", append.topic(), append.partition(), error);
        return refused(ProblemType.INTERNAL_ERROR, "the append failed: " + error);
    }

    private static EnvelopeResponse refused(ProblemType type, String detail) {
        return new EnvelopeResponse(ForwardedAppend.problem(type, detail), Errors.UNKNOWN_SERVER_ERROR);
    }
}
