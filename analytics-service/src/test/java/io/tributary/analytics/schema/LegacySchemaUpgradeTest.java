package io.tributary.analytics.schema;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.servlet.MockMvc;

import io.tributary.analytics.store.JobCheckpoint;
import io.tributary.analytics.store.JobCheckpointRepository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * A database that an earlier build's Hibernate {@code ddl-auto} created (test resources {@code legacy/}) is taken
 * over by Flyway at start: baselined at version 0, brought to the current schema, validated by Hibernate, and every
 * job, result row and checkpoint in it reads back as it was written. Subclasses supply the database.
 */
@SpringBootTest(properties = "analytics.runner.enabled=false")
@AutoConfigureMockMvc
abstract class LegacySchemaUpgradeTest {

    @Autowired
    MockMvc mvc;

    @Autowired
    JobCheckpointRepository checkpoints;

    @Autowired
    JdbcTemplate jdbc;

    /** The migrations the database's history should list, baseline first. */
    abstract List<String> expectedHistory();

    @Test
    void shouldKeepEveryJobResultAndCheckpointOfTheEarlierSchema() throws Exception {
        assertThat(jdbc.queryForList("SELECT \"version\" FROM \"flyway_schema_history\" "
                + "WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\"", String.class))
                .isEqualTo(expectedHistory());

        mvc.perform(get("/api/v1/jobs/legacy")).andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("STOPPED"))
                .andExpect(jsonPath("$.definition.filter").value("country == \"Zürich€\""));
        mvc.perform(get("/api/v1/jobs/legacy/results")).andExpect(status().isOk())
                .andExpect(jsonPath("$.totalRows").value(1))
                .andExpect(jsonPath("$.rows[0].group['/country']").value("de"))
                .andExpect(jsonPath("$.rows[0].values.n").value(42))
                .andExpect(jsonPath("$.rows[0].batchId").value(7));
        JobCheckpoint checkpoint = checkpoints.findById("legacy").orElseThrow();
        assertThat(checkpoint.getBatchId()).isEqualTo(7);
        assertThat(checkpoint.getState()).containsExactly(0, 1, 2, 3, 0xff, 0xfe);
        assertThat(checkpoint.getSourceTopicId()).isNull();

        // and the migrated schema takes new definitions as a fresh one does
        mvc.perform(post("/api/v1/jobs").contentType(MediaType.APPLICATION_JSON).content("""
                {"name":"after-upgrade","source":"orders","eventTime":"/ts","watermark":"PT10S",
                 "window":{"type":"tumbling","size":"PT1M"},"groupBy":["/country"],
                 "aggregations":[{"name":"n","function":"count"}],"outputMode":"append"}"""))
                .andExpect(status().isCreated());
    }
}
