package io.tributary.analytics.runner;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.tributary.analytics.reference.ReferenceTablesUnavailableException;
import io.tributary.client.IngestException;

/**
 * Which batch failures are retried for as long as they last (outages) and which fail the job after
 * {@code max-batch-attempts} (the same batch would fail the same way again).
 */
class FailureClassificationTest {

    @Test
    void shouldRetryOutagesForEver() {
        assertThat(JobWorker.isTransient(IngestException.network("connection refused", null))).isTrue();
        assertThat(JobWorker.isTransient(new IngestException(503, null, "Unavailable", null, true, null))).isTrue();
        assertThat(JobWorker.isTransient(new IngestException(500, null, "Internal", null, false, null))).isTrue();
        assertThat(JobWorker.isTransient(new IngestException(429, null, "Too many", null, true, null))).isTrue();
        assertThat(JobWorker.isTransient(new ReferenceTablesUnavailableException("down", null))).isTrue();
        assertThat(JobWorker.isTransient(new org.springframework.dao.DataAccessResourceFailureException("db down")))
                .isTrue();
    }

    @Test
    void shouldTreatUnreadableAnswersBadRequestsAndErrorsAsDeterministic() {
        // An answer that cannot be read (a poison record of a joined table topic) fails the same way every time.
        assertThat(JobWorker.isTransient(new IngestException(200, null, "Unreadable response", "depth", false, null)))
                .isFalse();
        assertThat(JobWorker.isTransient(new IngestException(404, null, "Unknown topic", null, false, null))).isFalse();
        assertThat(JobWorker.isTransient(new StackOverflowError())).isFalse();
        assertThat(JobWorker.isTransient(new ArithmeticException("long overflow"))).isFalse();
    }
}
