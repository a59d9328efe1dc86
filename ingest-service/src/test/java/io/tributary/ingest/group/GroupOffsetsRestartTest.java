package io.tributary.ingest.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.tributary.client.ConsumedRecord;
import io.tributary.client.TopicPartition;
import io.tributary.client.consumer.AutoOffsetReset;
import io.tributary.client.consumer.ConsumerSettings;
import io.tributary.client.consumer.GroupConsumer;
import io.tributary.client.consumer.RebalanceListener;
import io.tributary.ingest.IngestApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** Committed offsets outlive the service: stop it, start a new one on the same data folder. */
class GroupOffsetsRestartTest {

    @TempDir
    Path dataDir;

    private ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(IngestApplication.class)
                .run("--server.port=0", "--ingest.data-dir=" + dataDir, "--spring.main.banner-mode=off");
    }

    private static GroupHttp api(ConfigurableApplicationContext context) {
        return new GroupHttp(Integer.parseInt(context.getEnvironment().getProperty("local.server.port")));
    }

    @Test
    void committedOffsetsSurviveARestartOfTheService() {
        try (ConfigurableApplicationContext first = start()) {
            GroupHttp api = api(first);
            api.createTopic("durable", 1);
            api.produce("durable", 1, 0, 20);
            try (GroupConsumer consumer = new GroupConsumer(api.consumer("g-durable", "durable"),
                    RebalanceListener.NONE)) {
                List<ConsumedRecord> got = new ArrayList<>();
                await().atMost(Duration.ofSeconds(30)).until(() -> got.addAll(consumer.poll(Duration.ofMillis(200)))
                        && got.size() >= 20);
                consumer.commitSync(Map.of(new TopicPartition("durable", 0), 15L));
            }
        }

        try (ConfigurableApplicationContext second = start()) {
            GroupHttp api = api(second);
            JsonNode group = api.send("GET", "/api/v1/groups/g-durable", null).body();
            assertThat(group.path("state").asString()).isEqualTo("Empty");
            assertThat(group.path("members")).isEmpty();
            assertThat(group.path("offsets")).singleElement().satisfies(o -> {
                assertThat(o.path("committedOffset").asLong()).isEqualTo(15);
                assertThat(o.path("lag").asLong()).isEqualTo(5);
            });

            // With "latest" a fresh group would see nothing: these come from the committed offset.
            ConsumerSettings latest = ConsumerSettings.builder(api.clientSettings(), "g-durable", List.of("durable"))
                    .autoOffsetReset(AutoOffsetReset.LATEST).pollWait(Duration.ofMillis(200)).build();
            try (GroupConsumer consumer = new GroupConsumer(latest, RebalanceListener.NONE)) {
                List<ConsumedRecord> got = new ArrayList<>();
                await().atMost(Duration.ofSeconds(30)).until(() -> got.addAll(consumer.poll(Duration.ofMillis(200)))
                        && got.size() >= 5);
                assertThat(got).extracting(ConsumedRecord::offset).containsExactly(15L, 16L, 17L, 18L, 19L);
            }
        }
    }
}
