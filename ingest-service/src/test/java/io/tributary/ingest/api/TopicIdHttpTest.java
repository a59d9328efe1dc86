package io.tributary.ingest.api;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.tributary.ingest.IngestApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A topic's id tells its incarnations apart: a deleted topic and its re-created namesake have
 * different ids, the id survives restarts, and a topic from before ids existed gets one once.
 */
class TopicIdHttpTest {

    @TempDir
    Path data;

    private ConfigurableApplicationContext context;

    private Http start() {
        context = new SpringApplicationBuilder(IngestApplication.class)
                .run("--server.port=0", "--ingest.data-dir=" + data, "--spring.jmx.enabled=false",
                        "--springdoc.api-docs.enabled=false", "--spring.lifecycle.timeout-per-shutdown-phase=2s");
        return new Http(Integer.parseInt(context.getEnvironment().getProperty("local.server.port")));
    }

    private void stop() {
        context.close();
        context = null;
    }

    @AfterEach
    void closeContext() {
        if (context != null) {
            context.close();
        }
    }

    private static String topicId(Http http, String topic) {
        Http.Response r = http.get("/api/v1/topics/" + topic);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json().path("topicId").asString();
    }

    @Test
    void aReCreatedTopicGetsANewIdAndIdsSurviveRestarts() {
        Http http = start();
        Http.Response created = http.postJson("/api/v1/topics", "{\"name\":\"ids\",\"partitions\":1}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String first = created.json().path("topicId").asString();
        assertThat(first).matches("[A-Za-z0-9_-]{22}");
        assertThat(topicId(http, "ids")).isEqualTo(first);
        List<String> listed = new ArrayList<>();
        http.get("/api/v1/topics").json().path("topics").forEach(t -> listed.add(t.path("topicId").asString()));
        assertThat(listed).contains(first);

        assertThat(http.delete("/api/v1/topics/ids").status()).isEqualTo(204);
        assertThat(http.postJson("/api/v1/topics", "{\"name\":\"ids\",\"partitions\":1}").status()).isEqualTo(201);
        String second = topicId(http, "ids");
        assertThat(second).matches("[A-Za-z0-9_-]{22}").isNotEqualTo(first);

        stop();
        http = start();
        assertThat(topicId(http, "ids")).isEqualTo(second);
    }

    @Test
    void aTopicFromBeforeIdsGetsOneOnceAndKeepsIt() throws Exception {
        // topics.json as written before topic ids existed.
        Files.writeString(data.resolve("topics.json"), "[{\"name\":\"legacy\",\"partitions\":1,"
                + "\"replicationFactor\":1,\"configs\":{},\"createdAtMs\":1,\"incarnation\":0}]",
                StandardCharsets.UTF_8);
        Http http = start();
        String assigned = topicId(http, "legacy");
        assertThat(assigned).matches("[A-Za-z0-9_-]{22}");
        assertThat(Files.readString(data.resolve("topics.json"))).contains(assigned);

        stop();
        http = start();
        assertThat(topicId(http, "legacy")).isEqualTo(assigned);
        assertThat(http.get("/api/v1/topics/legacy").json().path("configs").size()).isZero();
    }
}
