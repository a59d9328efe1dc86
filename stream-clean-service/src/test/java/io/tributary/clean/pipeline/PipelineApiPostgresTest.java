package io.tributary.clean.pipeline;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.tributary.testkit.ThrowawayPostgres;

/** {@link PipelineApiTest} on a real PostgreSQL server (the database of the {@code postgres} profile), migrated by Flyway. */
class PipelineApiPostgresTest extends PipelineApiTest {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        ThrowawayPostgres.server().freshDatabase("pipeline_api").register(registry);
    }
}
