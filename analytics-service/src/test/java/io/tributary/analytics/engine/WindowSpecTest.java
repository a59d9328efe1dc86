package io.tributary.analytics.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class WindowSpecTest {

    @Test
    void shouldPlaceARecordInExactlyOneTumblingWindow() {
        WindowSpec tumbling = new WindowSpec.Tumbling(60_000);
        assertThat(tumbling.assign(0)).containsExactly(new Window(0, 60_000));
        assertThat(tumbling.assign(59_999)).containsExactly(new Window(0, 60_000));
        assertThat(tumbling.assign(60_000)).containsExactly(new Window(60_000, 120_000));
        assertThat(tumbling.assign(-1)).containsExactly(new Window(-60_000, 0));
    }

    @Test
    void shouldPlaceARecordInEverySlidingWindowThatCoversIt() {
        WindowSpec sliding = new WindowSpec.Sliding(60_000, 20_000);
        assertThat(sliding.assign(65_000)).containsExactly(
                new Window(20_000, 80_000), new Window(40_000, 100_000), new Window(60_000, 120_000));
        assertThat(sliding.assign(60_000)).containsExactly(
                new Window(20_000, 80_000), new Window(40_000, 100_000), new Window(60_000, 120_000));
        assertThat(sliding.assign(59_999)).containsExactly(
                new Window(0, 60_000), new Window(20_000, 80_000), new Window(40_000, 100_000));
    }

    @Test
    void shouldMatchABruteForceOracleForRandomSlidingWindows() {
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            long slide = 1 + random.nextInt(50);
            long size = slide * (1 + random.nextInt(5)) + (random.nextBoolean() ? 0 : random.nextInt((int) slide));
            long ts = random.nextInt(100_000) - 50_000;
            List<Window> expected = new java.util.ArrayList<>();
            for (long start = Math.floorDiv(ts - size, slide) * slide; start <= ts; start += slide) {
                if (start <= ts && ts < start + size) {
                    expected.add(new Window(start, start + size));
                }
            }
            assertThat(new WindowSpec.Sliding(size, slide).assign(ts)).as("size %d slide %d ts %d", size, slide, ts)
                    .isEqualTo(expected);
        }
    }

    @Test
    void shouldReadEpochMillisAndIso8601EventTimes() {
        assertThat(EventTime.parse("2024-05-01T12:00:00Z")).isEqualTo(1_714_564_800_000L);
        assertThat(EventTime.parse("2024-05-01T14:00:00+02:00")).isEqualTo(1_714_564_800_000L);
        assertThat(EventTime.parse("2024-05-01T12:00:00")).isEqualTo(1_714_564_800_000L);
        assertThat(EventTime.parse("1714564800000")).isEqualTo(1_714_564_800_000L);
        assertThat(EventTime.parse("yesterday")).isEqualTo(Long.MIN_VALUE);
    }
}
