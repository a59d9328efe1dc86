package io.tributary.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The analytics driver's events must be WORKLOADS.md W2's, and the same on every run. */
class W2EventsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void shouldSpreadSeededW2EventsOverTheTenMinutesBeforeTheEnd() {
        long end = 1_800_000_000_000L;
        List<W2Events.Event> first = take(new W2Events(10_000, end, 2026));
        assertThat(take(new W2Events(10_000, end, 2026))).isEqualTo(first);
        for (int i = 0; i < first.size(); i++) {
            JsonNode event = JSON.readTree(first.get(i).json());
            long evenly = end - W2Events.SPAN_MS + i * W2Events.SPAN_MS / 10_000;
            assertThat(event.path("ts").asLong()).isBetween(evenly - 2_000, evenly);
            assertThat(event.path("user").asString()).matches("u\\d{1,5}").isEqualTo(first.get(i).key());
            assertThat(W2Events.COUNTRIES).contains(event.path("country").asString());
            assertThat(event.path("amount").asDouble()).isBetween(0.01, 500.0);
            assertThat(first.get(i).json()).as("two decimals").matches(".*\"amount\":\\d+\\.\\d{2}}");
        }
    }

    private static List<W2Events.Event> take(W2Events events) {
        List<W2Events.Event> taken = new ArrayList<>();
        while (events.hasNext()) {
            taken.add(events.next());
        }
        return taken;
    }
}
