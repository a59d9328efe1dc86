package io.tributary.clean.step;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Builds steps and records from JSON text for step tests. */
public final class StepTests {

    public static final JsonMapper JSON = JsonMapper.builder().build();
    public static final Instant NOW = Instant.parse("2026-01-02T03:04:05.678Z");
    public static final StepFactory FACTORY = new StepFactory("pepper", Clock.fixed(NOW, ZoneOffset.UTC));

    private StepTests() {
    }

    public static JsonNode json(String text) {
        return JSON.readTree(text.replace('\'', '"'));
    }

    /** A step from JSON with single quotes for readability. */
    public static Step step(String spec) {
        return FACTORY.create(json(spec));
    }

    public static WorkingRecord record(String value) {
        return new WorkingRecord("k", (ObjectNode) json(value), Map.of("src", "web"), 1_000L);
    }

    /** Applies the step and returns the resulting value. */
    public static JsonNode applied(String spec, String value) {
        WorkingRecord record = record(value);
        step(spec).apply(record);
        return record.value();
    }
}
