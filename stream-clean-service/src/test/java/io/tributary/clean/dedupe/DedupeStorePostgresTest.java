package io.tributary.clean.dedupe;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.tributary.testkit.ThrowawayPostgres;

/** {@link DedupeStoreTest} on a real PostgreSQL server (the database of the {@code postgres} profile), migrated by Flyway. */
class DedupeStorePostgresTest extends DedupeStoreTest {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        ThrowawayPostgres.server().freshDatabase("dedupe_store").register(registry);
    }
}
