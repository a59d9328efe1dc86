package io.tributary.ingest.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimeIndexTest {

    private static final long BASE = 500;

    @TempDir
    Path dir;

    @Test
    void shouldScanFromTheBaseWhenEmpty() {
        TimeIndex index = new TimeIndex(BASE);
        assertThat(index.scanStartFor(0)).isEqualTo(BASE);
        assertThat(index.scanStartFor(Long.MAX_VALUE)).isEqualTo(BASE);
    }

    @Test
    void shouldUseOnlyEntriesStrictlyOlderThanTheTarget() {
        TimeIndex index = new TimeIndex(BASE);
        index.maybeAppend(100, BASE + 10);
        index.maybeAppend(200, BASE + 20);
        assertThat(index.scanStartFor(100)).isEqualTo(BASE);
        assertThat(index.scanStartFor(101)).isEqualTo(BASE + 10);
        assertThat(index.scanStartFor(200)).isEqualTo(BASE + 10);
        assertThat(index.scanStartFor(201)).isEqualTo(BASE + 20);
        assertThat(index.scanStartFor(Long.MAX_VALUE)).isEqualTo(BASE + 20);
    }

    @Test
    void shouldSkipEntriesWhoseTimestampDidNotGrow() {
        TimeIndex index = new TimeIndex(BASE);
        index.maybeAppend(100, BASE + 10);
        index.maybeAppend(100, BASE + 20);
        index.maybeAppend(90, BASE + 30);
        assertThat(index.entries()).isEqualTo(1);
    }

    @Test
    void shouldMatchATreeMapOracleOverRandomEntriesAndSurviveAReload() throws IOException {
        Random random = new Random(3);
        TimeIndex index = new TimeIndex(BASE);
        TreeMap<Long, Long> oracle = new TreeMap<>(); // timestamp -> absolute offset
        long offset = BASE;
        long ts = 1_000;
        for (int i = 0; i < 1000; i++) {
            offset += 1 + random.nextInt(20);
            long candidate = ts + random.nextInt(100) - 30; // sometimes not growing
            index.maybeAppend(candidate, offset);
            if (oracle.isEmpty() || candidate > oracle.lastKey()) {
                oracle.put(candidate, offset);
            }
            ts = Math.max(ts, candidate);
        }
        assertAgrees(index, oracle, random, ts);

        Path file = dir.resolve("x.timeindex");
        index.writeTo(file);
        TimeIndex reloaded = TimeIndex.load(BASE, file);
        assertThat(reloaded.entries()).isEqualTo(oracle.size());
        assertAgrees(reloaded, oracle, random, ts);
    }

    @Test
    void shouldDropEntriesAtOrAfterATruncatedOffset() {
        TimeIndex index = new TimeIndex(BASE);
        index.maybeAppend(100, BASE + 10);
        index.maybeAppend(200, BASE + 20);
        index.truncateToOffset(BASE + 20);
        assertThat(index.entries()).isEqualTo(1);
        assertThat(index.scanStartFor(1_000)).isEqualTo(BASE + 10);
    }

    private static void assertAgrees(TimeIndex index, TreeMap<Long, Long> oracle, Random random, long maxTs) {
        for (int i = 0; i < 5000; i++) {
            long target = 900 + (long) (random.nextDouble() * (maxTs - 800));
            Map.Entry<Long, Long> lower = oracle.lowerEntry(target);
            assertThat(index.scanStartFor(target)).as("scan start for %d", target)
                    .isEqualTo(lower == null ? BASE : lower.getValue());
        }
    }
}
