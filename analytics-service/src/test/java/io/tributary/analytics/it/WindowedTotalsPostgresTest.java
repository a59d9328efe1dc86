package io.tributary.analytics.it;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.tributary.testkit.ThrowawayPostgres;

/** {@link WindowedTotalsIntegrationTest} on a real PostgreSQL server (the database of the {@code postgres} profile), migrated by Flyway. */
class WindowedTotalsPostgresTest extends WindowedTotalsIntegrationTest {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        ThrowawayPostgres.server().freshDatabase("windowed_totals").register(registry);
    }
}
