package io.tributary.analytics.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import io.tributary.analytics.config.AnalyticsProperties;
import io.tributary.analytics.engine.BatchResult;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.jpa.test.autoconfigure.DataJpaTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.data.domain.PageRequest;
import tools.jackson.databind.json.JsonMapper;

/**
 * A job that commits several batches a second keeps only its latest progress rows (what GET .../progress shows),
 * not one row per batch for ever; its checkpoint is untouched. A JPA slice on the H2 schema Flyway makes.
 */
@DataJpaTest(properties = "analytics.runner.progress-retained=100")
@Import({JobStore.class, ProgressRetentionTest.Beans.class})
class ProgressRetentionTest {

    @TestConfiguration
    @EnableConfigurationProperties(AnalyticsProperties.class)
    static class Beans {
        @Bean
        JsonMapper jsonMapper() {
            return JsonMapper.builder().build();
        }

        @Bean
        Clock clock() {
            return Clock.systemUTC();
        }
    }

    @Autowired
    JobStore store;

    @Autowired
    BatchProgressRepository progress;

    @Test
    void keepsTheLatestProgressRowsOfAJobAndNotOnePerBatchForEver() {
        long version = -1;
        for (long batch = 0; batch < 350; batch++) {
            version = store.commit(new CommittedBatch("busy", batch, Map.of(0, batch), Map.of(0, batch + 1),
                    new BatchResult(List.of(), List.of(), 1, 0, 0, 0, 0, 0), new byte[0], 0, 0, System.nanoTime(),
                    "topic-id"), version);
        }
        List<Long> kept = progress.findByJobNameOrderByBatchIdDesc("busy", PageRequest.of(0, 1_000))
                .map(p -> p.batchId).toList();

        // trimmed at every 100th batch to the latest 100: at batch 300 everything before 201 went
        assertThat(kept).hasSize(149).startsWith(349L).endsWith(201L);
        assertThat(store.offsets(store.checkpoint("busy"))).isEqualTo(Map.of(0, 350L));
    }
}
