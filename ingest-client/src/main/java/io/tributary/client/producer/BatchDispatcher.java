package io.tributary.client.producer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.client.IngestException;
import io.tributary.client.ProblemKind;
import io.tributary.client.internal.HttpTransport;
import io.tributary.client.internal.Resend;

/**
 * Sends a batch's request and retries it with exponential backoff while the failure is
 * retriable and the attempt and delivery-time budgets last. Every attempt sends the same
 * {@link ProduceRequest}, so the service can deduplicate retries. On a cluster each attempt goes
 * to the transport's current node, which a failure moves on ({@link HttpTransport}), so a retry
 * goes to the next node.
 */
final class BatchDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(BatchDispatcher.class);
    private static final int MAX_BACKOFF_DOUBLINGS = 20;

    private final HttpTransport transport;
    private final ProducerSettings settings;
    private final ScheduledExecutorService retryScheduler;

    BatchDispatcher(HttpTransport transport, ProducerSettings settings, ScheduledExecutorService retryScheduler) {
        this.transport = transport;
        this.settings = settings;
        this.retryScheduler = retryScheduler;
    }

    /** Starts delivering the batch; the returned future is the batch's own completion. */
    CompletableFuture<List<RecordMetadata>> dispatch(ProducerBatch batch, ProduceRequest request) {
        batch.startDeliveryClock(System.nanoTime() + settings.deliveryTimeout().toNanos());
        attempt(batch, request);
        return batch.done();
    }

    private void attempt(ProducerBatch batch, ProduceRequest request) {
        int attempt = batch.nextAttempt();
        // A request under a producer id or an Idempotency-Key may go to the next node after any failure
        // (the transport moves on within one attempt); one with neither only when it never left.
        transport.sendAsync("POST", request.path(), request.body(), request.headers(), Duration.ZERO,
                        request.deduplicated() ? Resend.ANY_FAILURE : Resend.UNSENT)
                .whenComplete((answer, failure) -> {
                    if (failure == null) {
                        complete(batch, request, answer);
                    } else {
                        onFailure(batch, request, attempt, unwrap(failure));
                    }
                });
    }

    private void complete(ProducerBatch batch, ProduceRequest request, tools.jackson.databind.JsonNode answer) {
        try {
            batch.succeed(request.decode(answer));
        } catch (RuntimeException e) {
            batch.fail(e);
        }
    }

    private void onFailure(ProducerBatch batch, ProduceRequest request, int attempt, Throwable failure) {
        if (failure instanceof IngestException ingest && ingest.kind() == ProblemKind.DUPLICATE_SEQUENCE) {
            // The service already holds this batch from an earlier attempt; only its offsets are lost.
            batch.succeed(request.unknownOffsets(batch.records()));
            return;
        }
        Duration backoff = backoff(attempt);
        boolean withinBudget = attempt < settings.maxAttempts()
                && System.nanoTime() + backoff.toNanos() < batch.deadlineNanos();
        if (!isRetriable(failure) || !withinBudget) {
            batch.fail(failure);
            return;
        }
        LOG.debug("Retrying batch for {} (attempt {}) in {}: {}", request.partition(), attempt + 1, backoff,
                failure.getMessage());
        try {
            retryScheduler.schedule(() -> attempt(batch, request), backoff.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            batch.fail(failure);
        }
    }

    static boolean isRetriable(Throwable failure) {
        return failure instanceof IngestException ingest && (ingest.retriable() || ingest.status() >= 500);
    }

    private Duration backoff(int attempt) {
        int doublings = Math.min(attempt - 1, MAX_BACKOFF_DOUBLINGS);
        Duration delay = settings.retryBackoff().multipliedBy(1L << doublings);
        return delay.compareTo(settings.retryBackoffMax()) > 0 ? settings.retryBackoffMax() : delay;
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
