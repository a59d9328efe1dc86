package io.tributary.analytics.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.doAnswer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

import io.tributary.analytics.config.AnalyticsProperties;
import io.tributary.analytics.job.JobRequest;
import io.tributary.analytics.job.JobService;
import io.tributary.analytics.job.JobStatus;
import io.tributary.analytics.job.JobView;
import io.tributary.analytics.store.CommittedBatch;
import io.tributary.analytics.store.JobStore;
import io.tributary.client.ClientSettings;
import io.tributary.client.IngestClient;
import io.tributary.client.IngestException;
import io.tributary.client.NewTopic;
import io.tributary.client.producer.IngestProducer;
import io.tributary.client.producer.ProducerRecord;
import io.tributary.client.producer.ProducerSettings;
import io.tributary.testkit.EmbeddedIngest;

/**
 * A batch that keeps failing with a deterministic error (an Error included: the worker used to
 * die of a StackOverflowError and leave the job RUNNING doing nothing) ends the job FAILED with the
 * error in {@code lastError}; a transient one (ingest unreachable) is retried, with a growing
 * backoff, for as long as it lasts, and the job then carries on.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:worker-failures",
        "analytics.runner.error-backoff=20ms", "analytics.runner.max-error-backoff=80ms",
        "analytics.runner.max-batch-attempts=3"})
class JobWorkerFailureTest {

    private static Path dataDir;
    private static EmbeddedIngest ingest;

    @MockitoSpyBean
    JobStore store;

    @Autowired
    JobService jobs;

    @DynamicPropertySource
    static void ingestUrl(DynamicPropertyRegistry registry) throws Exception {
        dataDir = Files.createTempDirectory("analytics-worker-failures");
        ingest = EmbeddedIngest.start(dataDir);
        registry.add("analytics.ingest-url", ingest::url);
    }

    @AfterAll
    static void stopIngest() {
        if (ingest != null) {
            ingest.close();
        }
    }

    private static void topicWithRecords(String topic) {
        try (IngestClient client = IngestClient.create(ClientSettings.of(ingest.url()));
             IngestProducer producer = IngestProducer.create(ProducerSettings.builder(ClientSettings.of(ingest.url()))
                     .build())) {
            client.createTopic(new NewTopic(topic, 1, 1));
            long now = System.currentTimeMillis();
            for (int i = 0; i < 10; i++) {
                producer.send(topic, ProducerRecord.ofJson("k" + i, "{\"ts\":" + now + ",\"country\":\"de\"}"));
            }
            producer.flush();
        }
    }

    private static JobRequest job(String name) {
        return new JobRequest(name, name, null, "/ts", null, null, java.util.List.of("/country"),
                java.util.List.of(new JobRequest.AggregationRequest("n", "count", null, null)), null, null,
                new JobRequest.TriggerRequest("processing-time", "PT0.1S"), "update", null, null);
    }

    private static org.mockito.ArgumentMatcher<CommittedBatch> of(String job) {
        return batch -> batch != null && batch.jobName().equals(job);
    }

    @Test
    void shouldFailTheJobWithTheErrorVisibleWhenABatchKeepsDyingOfAnError() {
        topicWithRecords("dying");
        AtomicInteger attempts = new AtomicInteger();
        doAnswer(call -> {
            attempts.incrementAndGet();
            throw new StackOverflowError("poisoned batch");
        }).when(store).commit(argThat(of("dying")), anyLong());
        jobs.create(job("dying"));
        jobs.start("dying");
        await("the job goes FAILED").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> jobs.get("dying").status() == JobStatus.FAILED);
        JobView failed = jobs.get("dying");
        assertThat(failed.lastError()).contains("StackOverflowError", "poisoned batch", "batch 0 failed 3 times");
        assertThat(attempts.get()).isEqualTo(3);
    }

    @Test
    void shouldRetryATransientFailureBeyondTheAttemptsAndCarryOn() {
        topicWithRecords("flaky");
        AtomicInteger attempts = new AtomicInteger();
        doAnswer(call -> {
            if (attempts.incrementAndGet() <= 6) {
                throw IngestException.network("ingest unreachable", null);
            }
            return call.callRealMethod();
        }).when(store).commit(argThat(of("flaky")), anyLong());
        jobs.create(job("flaky"));
        jobs.start("flaky");
        await("the job commits once ingest is back").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> store.checkpoint("flaky").getBatchId() >= 0);
        await("the error is cleared").atMost(Duration.ofSeconds(10))
                .until(() -> jobs.get("flaky").lastError() == null);
        assertThat(jobs.get("flaky").status()).isEqualTo(JobStatus.RUNNING);
        assertThat(attempts.get()).isEqualTo(7);
    }

    @Test
    void shouldDoubleTheBackoffUpToItsCap() {
        AnalyticsProperties.Runner runner = new AnalyticsProperties.Runner(true, 1, 1, 1, 1, Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofSeconds(30), 5, 1000);
        assertThat(runner.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(runner.backoff(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(runner.backoff(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(runner.backoff(6)).isEqualTo(Duration.ofSeconds(30));
        assertThat(runner.backoff(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(30));
    }
}
