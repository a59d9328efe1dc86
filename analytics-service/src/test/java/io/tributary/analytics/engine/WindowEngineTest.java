package io.tributary.analytics.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.tributary.expressions.ExpressionSandbox;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class WindowEngineTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long MIN = 60_000;

    static JsonNode event(long ts, String country, double amount) {
        return JSON.createObjectNode().put("ts", ts).put("country", country).put("amount", amount);
    }

    static EngineSpec spec(WindowSpec window, long delay, OutputMode mode) {
        return new EngineSpec("/ts", delay, window, List.of("/country"),
                List.of(new AggregateSpec("n", AggregateFunction.COUNT, null),
                        new AggregateSpec("total", AggregateFunction.SUM, "/amount")),
                null, mode);
    }

    static Map<String, Object> valuesOf(List<ResultRow> rows, String country, long windowStart) {
        return rows.stream().filter(r -> country.equals(r.key().group().get(0))
                        && r.key().window().start() == windowStart)
                .findFirst().map(ResultRow::values).orElse(null);
    }

    @Test
    void shouldAdvanceTheWatermarkToMaxEventTimeMinusDelayAndNeverBack() {
        WindowEngine engine = new WindowEngine(spec(new WindowSpec.Tumbling(MIN), 10_000, OutputMode.UPDATE));
        assertThat(engine.watermark()).isEqualTo(Long.MIN_VALUE);
        assertThat(engine.process(List.of(event(100_000, "de", 1))).watermark()).isEqualTo(90_000);
        assertThat(engine.process(List.of(event(50_000, "de", 1))).watermark()).isEqualTo(90_000);
        assertThat(engine.process(List.of(event(130_000, "de", 1))).watermark()).isEqualTo(120_000);
    }

    @Test
    void shouldDropAndCountRecordsWhoseWindowTheWatermarkHasClosed() {
        WindowEngine engine = new WindowEngine(spec(new WindowSpec.Tumbling(MIN), 10_000, OutputMode.UPDATE));
        engine.process(List.of(event(135_000, "de", 1))); // watermark 125 s: window [60 s, 120 s) closed
        BatchResult batch = engine.process(List.of(event(119_999, "de", 5), event(120_000, "de", 7)));
        assertThat(batch.lateRows()).isEqualTo(1);
        assertThat(batch.rows()).hasSize(1);
        assertThat(valuesOf(batch.rows(), "de", 120_000)).containsEntry("n", 2L).containsEntry("total", 8.0);
    }

    @Test
    void shouldJudgeLatenessByTheWatermarkAtTheStartOfTheBatch() {
        WindowEngine engine = new WindowEngine(spec(new WindowSpec.Tumbling(MIN), 0, OutputMode.UPDATE));
        // In one batch a later event does not make an earlier one of the same batch late (as in Spark).
        BatchResult batch = engine.process(List.of(event(200_000, "de", 1), event(10_000, "de", 1)));
        assertThat(batch.lateRows()).isZero();
        assertThat(engine.process(List.of(event(10_000, "de", 1))).lateRows()).isEqualTo(1);
    }

    @Test
    void shouldKeepASlidingRecordInItsStillOpenWindowsOnly() {
        WindowEngine engine = new WindowEngine(spec(new WindowSpec.Sliding(MIN, 30_000), 0, OutputMode.UPDATE));
        engine.process(List.of(event(90_000, "de", 1))); // watermark 90 s closes [30 s, 90 s)
        BatchResult batch = engine.process(List.of(event(70_000, "fr", 2))); // in [30,90) and [60,120)
        assertThat(batch.lateRows()).isZero();
        assertThat(batch.rows()).extracting(r -> r.key().window()).containsExactly(new Window(60_000, 120_000));
        assertThat(engine.process(List.of(event(50_000, "fr", 2))).lateRows()).isEqualTo(1); // [0,60),[30,90)
    }

    @Test
    void shouldEmitOnlyClosedWindowsOnceInAppendMode() {
        WindowEngine engine = new WindowEngine(spec(new WindowSpec.Tumbling(MIN), 5_000, OutputMode.APPEND));
        BatchResult first = engine.process(List.of(event(10_000, "de", 1), event(20_000, "fr", 2),
                event(61_000, "de", 3)));
        assertThat(first.rows()).isEmpty(); // watermark 56 s: nothing closed
        BatchResult second = engine.process(List.of(event(65_000, "de", 4)));
        assertThat(second.rows()).extracting(r -> r.key().group().get(0)).containsExactly("de", "fr");
        assertThat(valuesOf(second.rows(), "de", 0)).containsEntry("n", 1L);
        assertThat(second.stateRows()).isEqualTo(1);
        BatchResult third = engine.process(List.of(event(66_000, "de", 4)));
        assertThat(third.rows()).isEmpty();
        BatchResult fourth = engine.process(List.of(event(200_000, "de", 1)));
        assertThat(fourth.rows()).hasSize(1);
        assertThat(valuesOf(fourth.rows(), "de", 60_000)).containsEntry("n", 3L).containsEntry("total", 11.0);
    }

    @Test
    void shouldEmitOnlyRowsChangedThisBatchInUpdateMode() {
        WindowEngine engine = new WindowEngine(spec(new WindowSpec.Tumbling(MIN), 60_000, OutputMode.UPDATE));
        assertThat(engine.process(List.of(event(1_000, "de", 1), event(2_000, "fr", 1))).rows()).hasSize(2);
        BatchResult batch = engine.process(List.of(event(3_000, "de", 1)));
        assertThat(batch.rows()).hasSize(1);
        assertThat(valuesOf(batch.rows(), "de", 0)).containsEntry("n", 2L);
    }

    @Test
    void shouldEmitEveryRowEveryBatchAndKeepStateInCompleteMode() {
        WindowEngine engine = new WindowEngine(spec(new WindowSpec.Tumbling(MIN), 0, OutputMode.COMPLETE));
        engine.process(List.of(event(1_000, "de", 1), event(2_000, "fr", 1)));
        BatchResult batch = engine.process(List.of(event(500_000, "de", 1)));
        assertThat(batch.rows()).hasSize(3);
        assertThat(batch.stateRows()).isEqualTo(3);
        BatchResult old = engine.process(List.of(event(3_000, "de", 1))); // behind the watermark, yet kept
        assertThat(old.lateRows()).isZero();
        assertThat(valuesOf(old.rows(), "de", 0)).containsEntry("n", 2L);
    }

    @Test
    void shouldMergeSessionsThatAGapApartRecordBridges() {
        WindowEngine engine = new WindowEngine(spec(new WindowSpec.Session(10_000), 0, OutputMode.UPDATE));
        BatchResult first = engine.process(List.of(event(0, "de", 1), event(30_000, "de", 2), event(5_000, "fr", 4)));
        assertThat(first.rows()).extracting(r -> r.key().window()).containsExactly(
                new Window(0, 10_000), new Window(5_000, 15_000), new Window(30_000, 40_000));
        // Watermark 30 s closed [0,10 s) for de and [5 s, 15 s) for fr; open: de [30 s, 40 s).
        assertThat(first.stateRows()).isEqualTo(1);
        BatchResult second = engine.process(List.of(event(38_000, "de", 3), event(45_000, "de", 4)));
        assertThat(second.rows()).hasSize(1);
        ResultRow merged = second.rows().get(0);
        assertThat(merged.key().window()).isEqualTo(new Window(30_000, 55_000));
        assertThat(merged.values()).containsEntry("n", 3L).containsEntry("total", 9.0);
    }

    @Test
    void shouldReportSessionsAbsorbedByAMergeAsRemoved() {
        WindowEngine engine = new WindowEngine(spec(new WindowSpec.Session(10_000), 100_000, OutputMode.UPDATE));
        engine.process(List.of(event(0, "de", 1), event(15_000, "de", 1)));
        BatchResult batch = engine.process(List.of(event(9_000, "de", 1)));
        assertThat(batch.removed()).extracting(StateKey::window)
                .containsExactlyInAnyOrder(new Window(0, 10_000), new Window(15_000, 25_000));
        assertThat(batch.rows()).singleElement().satisfies(r -> {
            assertThat(r.key().window()).isEqualTo(new Window(0, 25_000));
            assertThat(r.values()).containsEntry("n", 3L);
        });
    }

    @Test
    void shouldComputeExactAggregatesAndSkipNonNumbers() {
        EngineSpec spec = new EngineSpec("/ts", 0, new WindowSpec.None(), List.of(),
                List.of(new AggregateSpec("n", AggregateFunction.COUNT, null),
                        new AggregateSpec("withAmount", AggregateFunction.COUNT, "/amount"),
                        new AggregateSpec("sum", AggregateFunction.SUM, "/amount"),
                        new AggregateSpec("avg", AggregateFunction.AVG, "/amount"),
                        new AggregateSpec("min", AggregateFunction.MIN, "/amount"),
                        new AggregateSpec("max", AggregateFunction.MAX, "/amount")),
                null, OutputMode.COMPLETE);
        WindowEngine engine = new WindowEngine(spec);
        BatchResult batch = engine.process(List.of(event(1, "de", 4), event(2, "de", -2), event(3, "de", 10),
                JSON.createObjectNode().put("ts", 4), JSON.createObjectNode().put("ts", 5).put("amount", "x")));
        assertThat(batch.rows().get(0).values()).containsEntry("n", 5L).containsEntry("withAmount", 4L)
                .containsEntry("sum", 12.0).containsEntry("avg", 4.0).containsEntry("min", -2.0)
                .containsEntry("max", 10.0);
        assertThat(batch.rows().get(0).key().window().isGlobal()).isTrue();
    }

    @Test
    void shouldSkipRecordsTheFilterRejectsOrWithoutEventTime() {
        EngineSpec base = spec(new WindowSpec.Tumbling(MIN), 0, OutputMode.UPDATE);
        EngineSpec spec = new EngineSpec("/ts", 0, base.window(), base.groupBy(), base.aggregates(),
                ExpressionSandbox.compile("amount > 2"), OutputMode.UPDATE);
        BatchResult batch = new WindowEngine(spec).process(List.of(event(1, "de", 1), event(2, "de", 3),
                JSON.createObjectNode().put("country", "de").put("amount", 9)));
        assertThat(batch.filtered()).isEqualTo(1);
        assertThat(batch.invalidRows()).isEqualTo(1);
        assertThat(valuesOf(batch.rows(), "de", 0)).containsEntry("n", 1L);
    }

    @Test
    void shouldContinueIdenticallyFromASnapshot() {
        EngineSpec spec = new EngineSpec("/ts", 5_000, new WindowSpec.Session(10_000), List.of("/country"),
                List.of(new AggregateSpec("n", AggregateFunction.COUNT, null),
                        new AggregateSpec("avg", AggregateFunction.AVG, "/amount"),
                        new AggregateSpec("max", AggregateFunction.MAX, "/amount"),
                        new AggregateSpec("users", AggregateFunction.APPROX_DISTINCT, "/amount"),
                        new AggregateSpec("p", AggregateFunction.PERCENTILES, "/amount", List.of(0.5))),
                null, OutputMode.UPDATE);
        WindowEngine original = new WindowEngine(spec);
        original.process(List.of(event(0, "de", 1), event(3_000, "fr", 2), event(20_000, "de", 3)));
        WindowEngine restored = WindowEngine.restore(spec, original.snapshot());
        assertThat(restored.watermark()).isEqualTo(original.watermark());
        assertThat(restored.currentRows()).isEqualTo(original.currentRows());
        List<JsonNode> next = List.of(event(25_000, "de", 5), event(40_000, "fr", 1));
        assertThat(restored.process(next)).isEqualTo(original.process(next));
    }
}
