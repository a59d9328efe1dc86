package io.tributary.clean.step;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.tributary.clean.step.dedupe.KeyHash;
import io.tributary.clean.step.dedupe.KeyMemory;
import io.tributary.clean.step.dedupe.SeenKey;
import io.tributary.clean.step.dedupe.SeenKeys;
import tools.jackson.databind.node.ObjectNode;

import static io.tributary.clean.step.StepTests.json;
import static io.tributary.clean.step.StepTests.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DedupeStepTest {

    private final KeyMemory memory = new KeyMemory();

    /** Applies the step to a record of the shared partition memory; true = it passes. */
    private boolean passes(Step step, String key, String value, long offset, long timestamp) {
        WorkingRecord record = new WorkingRecord(key, (ObjectNode) json(value), Map.of(), timestamp, offset, memory);
        boolean passed = step.apply(record);
        assertThat(record.duplicate()).isEqualTo(!passed);
        return passed;
    }

    @Test
    void shouldDropARepeatedFieldValueWithinTheWindowAndPassItAgainAfterIt() {
        Step dedupe = step("{'type':'dedupe','field':'/id','window':'10s'}");
        assertThat(passes(dedupe, "a", "{'id':1}", 0, 1_000)).isTrue();
        assertThat(passes(dedupe, "b", "{'id':2}", 1, 1_500)).isTrue();
        assertThat(passes(dedupe, "c", "{'id':1}", 2, 11_000)).isFalse();
        // 10.5 s after the first occurrence: a new first occurrence, which later repeats are measured from.
        assertThat(passes(dedupe, "d", "{'id':1}", 3, 11_500)).isTrue();
        assertThat(passes(dedupe, "e", "{'id':1}", 4, 20_000)).isFalse();
    }

    @Test
    void shouldUseTheRecordKeyWithoutAFieldAndPassRecordsWithoutAKey() {
        Step dedupe = step("{'type':'dedupe'}");
        assertThat(passes(dedupe, "k1", "{}", 0, 0)).isTrue();
        assertThat(passes(dedupe, "k1", "{}", 1, 0)).isFalse();
        assertThat(passes(dedupe, null, "{}", 2, 0)).isTrue();
        assertThat(passes(dedupe, null, "{}", 3, 0)).isTrue();

        Step byField = step("{'type':'dedupe','field':'/id'}");
        assertThat(passes(byField, "x", "{'other':1}", 4, 0)).isTrue();
        assertThat(passes(byField, "x", "{'id':null}", 5, 0)).isTrue();
        assertThat(passes(byField, "x", "{'id':null}", 6, 0)).isTrue();
    }

    @Test
    void shouldTellAStringFromANumberWithTheSameText() {
        Step dedupe = step("{'type':'dedupe','field':'/id'}");
        assertThat(passes(dedupe, "x", "{'id':7}", 0, 0)).isTrue();
        assertThat(passes(dedupe, "x", "{'id':'7'}", 1, 0)).isTrue();
        assertThat(passes(dedupe, "x", "{'id':7}", 2, 0)).isFalse();
        assertThat(passes(dedupe, "x", "{'id':'7'}", 3, 0)).isFalse();
    }

    @Test
    void shouldRejectAnObjectOrArrayKey() {
        Step dedupe = step("{'type':'dedupe','field':'/id'}");
        assertThatThrownBy(() -> passes(dedupe, "x", "{'id':{'a':1}}", 0, 0))
                .isInstanceOf(RecordRejectedException.class).hasMessageContaining("an object");
        assertThatThrownBy(() -> passes(dedupe, "x", "{'id':[1]}", 1, 0))
                .isInstanceOf(RecordRejectedException.class).hasMessageContaining("an array");
    }

    @Test
    void shouldPassARecordSeenAgainAtTheOffsetOfItsFirstOccurrence() {
        Step dedupe = step("{'type':'dedupe','field':'/id'}");
        assertThat(passes(dedupe, "x", "{'id':1}", 10, 0)).isTrue();
        assertThat(passes(dedupe, "x", "{'id':1}", 11, 0)).isFalse();
        // A replay of the same offsets decides as the first time.
        assertThat(passes(dedupe, "x", "{'id':1}", 10, 0)).isTrue();
        assertThat(passes(dedupe, "x", "{'id':1}", 11, 0)).isFalse();
    }

    @Test
    void shouldForgetTheOldestKeysBeyondMaxKeys() {
        Step dedupe = step("{'type':'dedupe','field':'/id','maxKeys':2}");
        assertThat(passes(dedupe, "x", "{'id':1}", 0, 0)).isTrue();
        assertThat(passes(dedupe, "x", "{'id':2}", 1, 0)).isTrue();
        assertThat(passes(dedupe, "x", "{'id':3}", 2, 0)).isTrue();
        assertThat(memory.state("/id").size()).isEqualTo(2);
        assertThat(passes(dedupe, "x", "{'id':1}", 3, 0)).as("1 was forgotten").isTrue();
        assertThat(passes(dedupe, "x", "{'id':3}", 4, 0)).isFalse();
    }

    @Test
    void shouldForgetKeysOnceTheNewestTimestampIsAWindowPastThem() {
        Step dedupe = step("{'type':'dedupe','field':'/id','window':'1m'}");
        for (int i = 0; i < 100; i++) {
            passes(dedupe, "x", "{'id':" + i + "}", i, i * 1_000L);
        }
        // Newest timestamp 99 s: keys first seen before 39 s are gone.
        assertThat(memory.state("/id").size()).isEqualTo(61);
        assertThat(memory.state("/id").snapshot().get(0).firstOffset()).isEqualTo(39);
    }

    @Test
    void shouldDecideExactlyAsBeforeWhenRestoredFromASnapshot() {
        // Oracle: one state over the whole stream against one restored from a snapshot midway.
        Random random = new Random(42);
        for (int run = 0; run < 20; run++) {
            int records = 2_000;
            long[] keys = new long[records];
            long[] times = new long[records];
            for (int i = 0; i < records; i++) {
                keys[i] = random.nextInt(300);
                times[i] = i * 10L + random.nextInt(3_000) - 1_500; // out of order
            }
            int maxKeys = 50 + random.nextInt(200);
            long window = 500 + random.nextInt(5_000);
            int cut = random.nextInt(records);

            SeenKeys whole = new SeenKeys();
            List<Boolean> expected = new ArrayList<>();
            for (int i = 0; i < records; i++) {
                expected.add(whole.duplicate(KeyHash.of("k" + keys[i]), i, times[i], window, maxKeys));
            }

            SeenKeys first = new SeenKeys();
            List<Boolean> actual = new ArrayList<>();
            for (int i = 0; i < cut; i++) {
                actual.add(first.duplicate(KeyHash.of("k" + keys[i]), i, times[i], window, maxKeys));
            }
            SeenKeys restored = new SeenKeys(first.snapshot(), first.newestTimestamp());
            for (int i = cut; i < records; i++) {
                actual.add(restored.duplicate(KeyHash.of("k" + keys[i]), i, times[i], window, maxKeys));
            }
            assertThat(actual).as("run %d, cut at %d", run, cut).isEqualTo(expected);
            assertThat(expected).contains(true, false);
        }
    }

    @Test
    void shouldReportWhatToStoreAndWhatToDelete() {
        SeenKeys keys = new SeenKeys(List.of(new SeenKey(KeyHash.of("old"), 0, 0)), 0);
        keys.duplicate(KeyHash.of("a"), 1, 10, 100, 10);
        keys.duplicate(KeyHash.of("a"), 2, 20, 100, 10);
        keys.duplicate(KeyHash.of("b"), 3, 150, 100, 10); // the newest timestamp 150 expires "old" (0) and "a" (10)
        SeenKeys.Changes changes = keys.drainChanges();
        assertThat(changes.deletes()).containsExactly(KeyHash.of("old"));
        assertThat(changes.inserts()).containsExactly(new SeenKey(KeyHash.of("b"), 3, 150));
        assertThat(changes.newestChanged()).isTrue();
        assertThat(keys.drainChanges().isEmpty()).isTrue();

        keys.duplicate(KeyHash.of("b"), 4, 400, 100, 10); // outside the window: b starts again at offset 4
        changes = keys.drainChanges();
        assertThat(changes.deletes()).containsExactly(KeyHash.of("b"));
        assertThat(changes.inserts()).containsExactly(new SeenKey(KeyHash.of("b"), 4, 400));
    }

    @Test
    void shouldRefuseBadConfigurations() {
        assertThatThrownBy(() -> step("{'type':'dedupe','window':'soon'}")).isInstanceOf(StepConfigException.class)
                .hasMessageContaining("\"window\" must be a duration");
        assertThatThrownBy(() -> step("{'type':'dedupe','window':'0s'}")).isInstanceOf(StepConfigException.class)
                .hasMessageContaining("more than 0");
        assertThatThrownBy(() -> step("{'type':'dedupe','window':'31d'}")).isInstanceOf(StepConfigException.class)
                .hasMessageContaining("at most 30d");
        assertThatThrownBy(() -> step("{'type':'dedupe','maxKeys':0}")).isInstanceOf(StepConfigException.class)
                .hasMessageContaining("\"maxKeys\" must be an integer from 1");
        assertThatThrownBy(() -> step("{'type':'dedupe','field':'id'}")).isInstanceOf(StepConfigException.class)
                .hasMessageContaining("JSON Pointer");
        assertThatThrownBy(() -> step("{'type':'dedupe','key':'/id'}")).isInstanceOf(StepConfigException.class)
                .hasMessageContaining("unknown option \"key\"");
    }
}
