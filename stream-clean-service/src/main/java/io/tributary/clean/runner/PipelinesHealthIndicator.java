package io.tributary.clean.runner;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * {@code pipelines} in {@code /actuator/health}: the state of each running pipeline, and
 * {@code OUT_OF_SERVICE} while some pipeline cannot reach the ingest service (its workers wait
 * and resume by themselves; nothing is lost). Not part of the liveness or readiness groups: a
 * restart would not bring the ingest service back.
 */
@Component("pipelines")
class PipelinesHealthIndicator implements HealthIndicator {

    private final PipelineRunner runner;
    private final IngestGateway ingest;

    PipelinesHealthIndicator(PipelineRunner runner, IngestGateway ingest) {
        this.runner = runner;
        this.ingest = ingest;
    }

    @Override
    public Health health() {
        Health.Builder health = runner.anyIngestUnavailable() ? Health.status(Status.OUT_OF_SERVICE) : Health.up();
        return health.withDetail("pipelines", runner.states())
                .withDetail("ingestCircuitBreaker", ingest.breakerState().name())
                .build();
    }
}
