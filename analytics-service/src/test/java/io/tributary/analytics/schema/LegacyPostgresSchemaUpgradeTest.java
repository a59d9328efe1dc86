package io.tributary.analytics.schema;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.tributary.testkit.ThrowawayPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On PostgreSQL the earlier schema kept the long values as large objects; V2 moves them into text and bytea columns
 * and leaves no large object behind.
 */
class LegacyPostgresSchemaUpgradeTest extends LegacySchemaUpgradeTest {

    @DynamicPropertySource
    static void legacyDatabase(DynamicPropertyRegistry registry) {
        ThrowawayPostgres.server().freshDatabase("legacy_analytics").runScript("legacy/ddl-auto-postgresql.sql")
                .register(registry);
    }

    @Override
    List<String> expectedHistory() {
        return List.of("0", "1", "2");
    }

    @Test
    void shouldLeaveNoLargeObjectBehind() {
        assertThat(jdbc.queryForList("SELECT column_name || ':' || data_type FROM information_schema.columns "
                + "WHERE table_schema = current_schema() AND column_name IN ('definition', 'aggregates', 'state') "
                + "ORDER BY column_name", String.class))
                .containsExactly("aggregates:text", "definition:text", "state:bytea");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM pg_largeobject_metadata", Long.class)).isZero();
    }
}
