package io.tributary.clean.runner;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tributary.clean.config.CleanProperties;
import io.tributary.clean.pipeline.PipelineState;
import io.tributary.clean.process.RecordProcessor;
import io.tributary.clean.step.StepTests;
import io.tributary.client.ClientSettings;
import io.tributary.support.identity.TokenMinter;
import io.tributary.client.TopicDescription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A worker that fails with an {@link Error} reports it and starts again; it never dies silently. */
class WorkerRestartTest {

    @Test
    void shouldReportAWorkerThatFailsWithAnErrorAndRestartItWithBackoff() {
        CleanProperties properties = new CleanProperties("http://127.0.0.1:9", "salt",
                new CleanProperties.Runner(true, Duration.ofSeconds(5), 100, Duration.ofMillis(100),
                        Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(5), 100, Duration.ofDays(1),
                        Duration.ofDays(3650), 1_000_000L, 100, Duration.ofMillis(10), Duration.ofMillis(40)),
                new CleanProperties.Ingest(1, Duration.ofMillis(10), 50f, Duration.ofSeconds(1)));
        AtomicInteger attempts = new AtomicInteger();
        TokenMinter identity = new TokenMinter("stream-clean", "worker-restart-test-secret-0123456789abcdef",
                Duration.ofMinutes(5), Clock.systemUTC());
        IngestGateway failing = new IngestGateway(properties, identity) {
            @Override
            public TopicDescription describeTopic(String topic) {
                attempts.incrementAndGet();
                throw new StackOverflowError();
            }
        };
        RecordProcessor processor = RecordProcessor.compile(List.of(), StepTests.FACTORY);
        PipelineDefinition definition = new PipelineDefinition("p", "raw", "clean", "dlq", 0, 1, false, processor);
        PipelineRuntime runtime = new PipelineRuntime(definition,
                new PipelineMetrics(new SimpleMeterRegistry(), "p", processor.stepLabels()), Clock.systemUTC());
        runtime.start(i -> new PipelineWorker(definition, i, failing, null, null, runtime, properties.runner(),
                ClientSettings.of(properties.ingestUrl())));
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> attempts.get() >= 4);
            PipelineStatus status = runtime.status(PipelineState.RUNNING);
            assertThat(status.state()).isEqualTo("FAILING");
            assertThat(status.lastError().message()).contains("StackOverflowError");
        } finally {
            runtime.stop();
        }
    }
}
