package io.tributary.clean.reference;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.tributary.testkit.ThrowawayPostgres;

/** {@link ReferenceTableApiTest} on a real PostgreSQL server (the database of the {@code postgres} profile), migrated by Flyway. */
class ReferenceTableApiPostgresTest extends ReferenceTableApiTest {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        ThrowawayPostgres.server().freshDatabase("reference_api").register(registry);
    }
}
