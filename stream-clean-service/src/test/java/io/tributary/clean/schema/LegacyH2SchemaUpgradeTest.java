package io.tributary.clean.schema;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

import io.tributary.testkit.H2Files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The H2 file of a demo that an earlier build's Hibernate {@code ddl-auto} created (test resource
 * {@code legacy/ddl-auto-h2.sql}, from before topic ids) is taken over by Flyway at start: baselined at version 0,
 * V1 adds what that build lacked, Hibernate validates it, and the stored pipeline reads back as it was.
 */
@SpringBootTest(properties = "clean.runner.enabled=false")
@AutoConfigureMockMvc
class LegacyH2SchemaUpgradeTest {

    @Autowired
    MockMvc mvc;

    @Autowired
    JdbcTemplate jdbc;

    @DynamicPropertySource
    static void legacyDatabase(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "legacy-h2");
        String url = H2Files.fromScript(dir, "clean", "legacy/ddl-auto-h2.sql");
        registry.add("spring.datasource.url", () -> url);
    }

    @Test
    void shouldKeepTheStoredPipelineAndAddWhatTheEarlierSchemaLacked() throws Exception {
        assertThat(jdbc.queryForList("SELECT \"version\" FROM \"flyway_schema_history\" "
                + "WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\"", String.class)).containsExactly("0", "1");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM pipeline_source_bindings", Long.class)).isZero();
        assertThat(jdbc.queryForList("SELECT topic_id_names FROM pipelines", Boolean.class)).containsExactly(
                (Boolean) null);

        mvc.perform(get("/api/v1/pipelines/legacy")).andExpect(status().isOk())
                .andExpect(jsonPath("$.source").value("orders.raw"))
                .andExpect(jsonPath("$.state").value("PAUSED"))
                .andExpect(jsonPath("$.steps[0].type").value("filter"));
        // the identity column goes on from the stored row: a new pipeline gets the next id
        mvc.perform(post("/api/v1/pipelines").contentType(MediaType.APPLICATION_JSON).content("""
                {"name":"after-upgrade","source":"a.raw","sink":"a.clean","deadLetter":"a.dead",
                 "steps":[{"type":"drop","fields":["/x"]}]}""")).andExpect(status().isCreated());
        assertThat(jdbc.queryForList("SELECT name FROM pipelines ORDER BY id", String.class))
                .containsExactly("legacy", "after-upgrade");
    }
}
