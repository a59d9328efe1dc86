package io.tributary.analytics.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Absurd event times (2^63-1, year 9999, negative, a year too large for an {@code Instant}) are
 * counted invalid, never throw out of the window arithmetic and never move the watermark.
 */
class EventTimeBoundsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long MIN = 60_000;
    private static final long NOW = 1_700_000_040_000L;
    private static final EventTimeBounds BOUNDS = new EventTimeBounds(Duration.ofDays(3650), Duration.ofDays(1),
            Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));

    /** A record as it comes from a topic: the time is a JSON number, or a string when given as one. */
    static JsonNode event(Object ts, String country) {
        String time = ts instanceof String text ? "\"" + text + "\"" : String.valueOf(ts);
        return JSON.readTree("{\"ts\":" + time + ",\"country\":\"" + country + "\",\"amount\":1}");
    }

    static List<JsonNode> poison() {
        return List.of(event(Long.MAX_VALUE, "de"), event(253_402_300_799_000L, "de"), event(-1L, "de"),
                event(Long.MIN_VALUE + 1, "de"), event("+999999999-12-31T23:59:59Z", "de"),
                event("9999-12-31T23:59:59Z", "de"), event(1e300, "de"));
    }

    static List<WindowSpec> windows() {
        return List.of(new WindowSpec.Tumbling(MIN), new WindowSpec.Sliding(10 * MIN, MIN),
                new WindowSpec.Session(MIN), new WindowSpec.None());
    }

    @Test
    void shouldCountAbsurdEventTimesInvalidWithoutMovingTheWatermark() {
        for (WindowSpec window : windows()) {
            WindowEngine engine = new WindowEngine(WindowEngineTest.spec(window, 0, OutputMode.UPDATE), BOUNDS);
            List<JsonNode> batch = new ArrayList<>(poison());
            batch.add(event(NOW, "fr"));
            BatchResult result = engine.process(batch);
            assertThat(result.invalidRows()).as("invalid with %s", window).isEqualTo(poison().size());
            assertThat(result.watermark()).as("watermark with %s", window).isEqualTo(NOW);
            assertThat(engine.currentRows()).as("rows with %s", window).isNotEmpty()
                    .allSatisfy(row -> assertThat(row.key().group()).containsExactly("fr"));
            // The job goes on producing: a later good record moves the watermark on.
            assertThat(engine.process(List.of(event(NOW + 5 * MIN, "fr"))).watermark()).isEqualTo(NOW + 5 * MIN);
        }
    }

    @Test
    void shouldNeverThrowOnExtremeEventTimesEvenWithoutBounds() {
        for (WindowSpec window : windows()) {
            WindowEngine engine = new WindowEngine(WindowEngineTest.spec(window, 0, OutputMode.UPDATE));
            for (JsonNode record : poison()) {
                BatchResult result = engine.process(List.of(record));
                assertThat(result.inputRows()).isEqualTo(1);
            }
            WindowEngine restored = WindowEngine.restore(WindowEngineTest.spec(window, 0, OutputMode.UPDATE),
                    engine.snapshot());
            assertThat(restored.stateRows()).isEqualTo(engine.stateRows());
        }
    }

    @Test
    void shouldAcceptTimesAtTheEdgesOfTheBounds() {
        WindowEngine engine = new WindowEngine(WindowEngineTest.spec(new WindowSpec.Tumbling(MIN), 0,
                OutputMode.UPDATE), BOUNDS);
        BatchResult result = engine.process(List.of(event(NOW - Duration.ofDays(3650).toMillis(), "de"),
                event(NOW + Duration.ofDays(1).toMillis(), "de"),
                event(NOW + Duration.ofDays(1).toMillis() + 1, "de")));
        assertThat(result.invalidRows()).isEqualTo(1);
        assertThat(result.watermark()).isEqualTo(NOW + Duration.ofDays(1).toMillis());
    }
}
