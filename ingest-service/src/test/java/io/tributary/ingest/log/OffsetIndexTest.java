package io.tributary.ingest.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsetIndexTest {

    private static final long BASE = 1000;

    @TempDir
    Path dir;

    @Test
    void shouldAnswerZeroWhenEmpty() {
        OffsetIndex index = new OffsetIndex(BASE);
        assertThat(index.entries()).isZero();
        assertThat(index.floorPosition(BASE)).isZero();
        assertThat(index.floorPosition(BASE + 1_000_000)).isZero();
    }

    @Test
    void shouldAnswerFirstAndLastEntriesAndOffsetsAroundThem() {
        OffsetIndex index = new OffsetIndex(BASE);
        index.append(BASE + 10, 100);
        index.append(BASE + 20, 200);
        index.append(BASE + 30, 300);
        assertThat(index.floorPosition(BASE)).isZero();
        assertThat(index.floorPosition(BASE + 9)).isZero();
        assertThat(index.floorPosition(BASE + 10)).isEqualTo(100);
        assertThat(index.floorPosition(BASE + 19)).isEqualTo(100);
        assertThat(index.floorPosition(BASE + 30)).isEqualTo(300);
        assertThat(index.floorPosition(Long.MAX_VALUE / 2)).isEqualTo(300);
        assertThat(index.floorPosition(0)).isZero();
    }

    @Test
    void shouldRejectEntriesThatDoNotIncrease() {
        OffsetIndex index = new OffsetIndex(BASE);
        index.append(BASE + 10, 100);
        assertThatThrownBy(() -> index.append(BASE + 10, 200)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> index.append(BASE + 11, 100)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldMatchATreeMapOracleOverRandomEntriesAndSurviveAReload() throws IOException {
        Random random = new Random(11);
        OffsetIndex index = new OffsetIndex(BASE);
        TreeMap<Long, Integer> oracle = new TreeMap<>();
        long offset = BASE;
        int position = 0;
        for (int i = 0; i < 1000; i++) {
            offset += 1 + random.nextInt(50);
            position += 1 + random.nextInt(5000);
            index.append(offset, position);
            oracle.put(offset, position);
        }
        assertAgrees(index, oracle, random, offset);

        Path file = dir.resolve("x.index");
        index.writeTo(file);
        OffsetIndex reloaded = OffsetIndex.load(BASE, file);
        assertThat(reloaded.entries()).isEqualTo(1000);
        assertAgrees(reloaded, oracle, random, offset);
    }

    @Test
    void shouldDropEntriesAtOrAfterATruncatedPosition() {
        OffsetIndex index = new OffsetIndex(BASE);
        index.append(BASE + 10, 100);
        index.append(BASE + 20, 200);
        index.append(BASE + 30, 300);
        index.truncateToPosition(200);
        assertThat(index.entries()).isEqualTo(1);
        assertThat(index.floorPosition(BASE + 25)).isEqualTo(100);
        index.append(BASE + 21, 150);
        assertThat(index.floorPosition(BASE + 25)).isEqualTo(150);
    }

    @Test
    void shouldPersistAnEmptyIndex() throws IOException {
        Path file = dir.resolve("empty.index");
        new OffsetIndex(BASE).writeTo(file);
        assertThat(OffsetIndex.load(BASE, file).entries()).isZero();
    }

    private static void assertAgrees(OffsetIndex index, TreeMap<Long, Integer> oracle, Random random, long maxOffset) {
        for (Map.Entry<Long, Integer> e : oracle.entrySet()) {
            assertThat(index.floorPosition(e.getKey())).isEqualTo(e.getValue());
        }
        for (int i = 0; i < 5000; i++) {
            long probe = BASE - 5 + (long) (random.nextDouble() * (maxOffset - BASE + 20));
            Map.Entry<Long, Integer> floor = oracle.floorEntry(probe);
            assertThat(index.floorPosition(probe)).as("floor of %d", probe).isEqualTo(floor == null ? 0 : floor.getValue());
        }
    }
}
