package io.tributary.clean.step;

import org.junit.jupiter.api.Test;

import static io.tributary.clean.step.StepTests.applied;
import static io.tributary.clean.step.StepTests.json;
import static io.tributary.clean.step.StepTests.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** cast and timestamp. */
class ConvertStepsTest {

    private static JsonNodeAssertion cast(String to, String value) {
        return new JsonNodeAssertion(applied("{'type':'cast','field':'/v','to':'" + to + "'}", "{'v':" + value + "}")
                .get("v"));
    }

    private record JsonNodeAssertion(tools.jackson.databind.JsonNode node) {
        void is(String json) {
            assertThat(node).isEqualTo(json(json));
        }
    }

    @Test
    void shouldCastLosslessly() {
        cast("int", "' 42 '").is("42");
        cast("int", "3.0").is("3");
        cast("long", "'9007199254740993'").is("9007199254740993");
        cast("double", "'2.5'").is("2.5");
        cast("string", "12.50").is("'12.5'");
        cast("string", "true").is("'true'");
        cast("boolean", "'TRUE'").is("true");
        cast("boolean", "0").is("false");
        cast("timestamp", "1700000000000").is("'2023-11-14T22:13:20Z'");
        cast("timestamp", "'2023-11-14T23:13:20+01:00'").is("'2023-11-14T22:13:20Z'");
        cast("int", "null").is("null");
    }

    @Test
    void shouldRejectLossyOrImpossibleCasts() {
        assertThatThrownBy(() -> cast("int", "3.5")).isInstanceOf(RecordRejectedException.class)
                .hasMessageContaining("fraction");
        assertThatThrownBy(() -> cast("int", "'abc'")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> cast("int", "3000000000")).hasMessageContaining("out of int range");
        assertThatThrownBy(() -> cast("double", "'1e999'")).hasMessageContaining("out of double range");
        assertThatThrownBy(() -> cast("boolean", "'yes'")).isInstanceOf(RecordRejectedException.class);
        assertThatThrownBy(() -> cast("long", "{'a':1}")).hasMessageContaining("an object");
        assertThatThrownBy(() -> cast("timestamp", "'yesterday'")).hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> step("{'type':'cast','field':'/v','to':'integer'}"))
                .isInstanceOf(StepConfigException.class).hasMessageContaining("must be one of");
    }

    private static String ts(String options, String value) {
        return applied("{'type':'timestamp','field':'/t'" + options + "}", "{'t':" + value + "}").get("t").asString();
    }

    @Test
    void shouldNormaliseTimestampsToIsoUtc() {
        assertThat(ts(",'format':'iso-8601'", "'2024-05-01T14:00:00+02:00'")).isEqualTo("2024-05-01T12:00:00Z");
        assertThat(ts(",'format':'iso-8601','zone':'Europe/Berlin'", "'2024-05-01T14:00:00'"))
                .isEqualTo("2024-05-01T12:00:00Z");
        assertThat(ts(",'format':'iso-8601'", "'2024-05-01'")).isEqualTo("2024-05-01T00:00:00Z");
        assertThat(ts(",'format':'epoch-seconds'", "1714564800")).isEqualTo("2024-05-01T12:00:00Z");
        assertThat(ts(",'format':'epoch-seconds'", "'1714564800.5'")).isEqualTo("2024-05-01T12:00:00.500Z");
        assertThat(ts(",'format':'epoch-millis'", "1714564800123")).isEqualTo("2024-05-01T12:00:00.123Z");
        assertThat(ts(",'format':'pattern','pattern':'dd/MM/yyyy HH:mm'", "'01/05/2024 12:00'"))
                .isEqualTo("2024-05-01T12:00:00Z");
        assertThat(applied("{'type':'timestamp','field':'/t','format':'epoch-millis','target':'/iso'}", "{'t':1700000000000}"))
                .isEqualTo(json("{'t':1700000000000,'iso':'2023-11-14T22:13:20Z'}"));
    }

    @Test
    void shouldRejectUnreadableTimestampsAndRefuseBadConfigs() {
        assertThatThrownBy(() -> ts(",'format':'iso-8601'", "'2024-13-01T00:00:00Z'"))
                .isInstanceOf(RecordRejectedException.class).hasMessageContaining("not an ISO-8601");
        assertThatThrownBy(() -> ts(",'format':'iso-8601'", "12")).hasMessageContaining("found a number");
        assertThatThrownBy(() -> ts(",'format':'epoch-seconds'", "'soon'")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> ts(",'format':'epoch-seconds'", "1714564800123")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> ts(",'format':'pattern','pattern':'dd/MM/yyyy'", "'2024-05-01'"))
                .hasMessageContaining("does not match");
        assertThatThrownBy(() -> step("{'type':'timestamp','field':'/t','format':'pattern','pattern':'qqqqqq'}"))
                .isInstanceOf(StepConfigException.class);
        assertThatThrownBy(() -> step("{'type':'timestamp','field':'/t','format':'iso-8601','zone':'Mars/Base'}"))
                .hasMessageContaining("time zone");
        assertThatThrownBy(() -> step("{'type':'timestamp','field':'/t','format':'unix'}"))
                .hasMessageContaining("must be one of");
    }

    @Test
    void shouldDeadLetterEventTimesOutsideTheWindowAroundProcessingTime() {
        // StepTests.NOW is 2026-01-02; the default window is 10 years back, 1 day ahead.
        assertThatThrownBy(() -> ts(",'format':'epoch-millis'", "253402300799000"))
                .isInstanceOf(RecordRejectedException.class).hasMessageContaining("more than 1d ahead");
        assertThatThrownBy(() -> ts(",'format':'epoch-millis'", "9223372036854775807"))
                .isInstanceOf(RecordRejectedException.class);
        assertThatThrownBy(() -> ts(",'format':'epoch-millis'", "-9223372036854775808"))
                .isInstanceOf(RecordRejectedException.class);
        assertThatThrownBy(() -> ts(",'format':'epoch-seconds'", "-1000000000"))
                .isInstanceOf(RecordRejectedException.class).hasMessageContaining("more than 3650d before");
        assertThatThrownBy(() -> ts(",'format':'iso-8601'", "'+999999999-12-31T23:59:59Z'"))
                .isInstanceOf(RecordRejectedException.class);
        assertThat(ts(",'format':'iso-8601'", "'2026-01-02T20:00:00Z'")).isEqualTo("2026-01-02T20:00:00Z");
    }
}
