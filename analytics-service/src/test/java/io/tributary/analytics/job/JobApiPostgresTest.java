package io.tributary.analytics.job;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.tributary.testkit.ThrowawayPostgres;

/** {@link JobApiTest} on a real PostgreSQL server (the database of the {@code postgres} profile), migrated by Flyway. */
class JobApiPostgresTest extends JobApiTest {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        ThrowawayPostgres.server().freshDatabase("job_api").register(registry);
    }
}
