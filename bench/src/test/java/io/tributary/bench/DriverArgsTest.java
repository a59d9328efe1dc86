package io.tributary.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The driver's argument parsing and arithmetic; no server, no timing. */
class DriverArgsTest {

    @Test
    void defaultsMatchWorkloadW1() {
        DriverArgs a = DriverArgs.parse();
        assertThat(a.partitions()).isEqualTo(3);
        assertThat(a.records()).isEqualTo(2_000_000);
        assertThat(a.warmup()).isEqualTo(1_000_000);
        assertThat(a.recordBytes()).isEqualTo(100);
        assertThat(a.batch()).isEqualTo(1000);
        assertThat(a.mode()).isEqualTo(DriverArgs.Mode.PRODUCE);
    }

    @Test
    void parsesBothOptionForms() {
        DriverArgs a = DriverArgs.parse("--url", "http://127.0.0.1:9999/", "--mode=fixed-rate", "--rate", "20_000",
                "--record-bytes", "1024", "--runs", "3", "--verify");
        assertThat(a.url()).isEqualTo("http://127.0.0.1:9999");
        assertThat(a.mode()).isEqualTo(DriverArgs.Mode.FIXED_RATE);
        assertThat(a.rate()).isEqualTo(20_000);
        assertThat(a.recordBytes()).isEqualTo(1024);
        assertThat(a.runs()).isEqualTo(3);
        assertThat(a.verify()).isTrue();
        assertThat(a.intervalNanos()).isEqualTo(50_000_000L); // 1000 records at 20k/s
    }

    @Test
    void recordsAreKeyedUnlessToldOtherwise() {
        DriverArgs keyed = DriverArgs.parse("--batch", "10");
        DriverArgs keyless = DriverArgs.parse("--batch", "10", "--keys", "false");
        assertThat(keyed.keys()).isTrue();
        assertThat(keyless.keys()).isFalse();
        String keyedBody = new String(LoadDriver.Bodies.body(keyed, new java.util.Random(1)),
                java.nio.charset.StandardCharsets.UTF_8);
        String keylessBody = new String(LoadDriver.Bodies.body(keyless, new java.util.Random(1)),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(keyedBody.split("\"key\":", -1)).hasSize(11);
        assertThat(keylessBody).doesNotContain("\"key\"");
        assertThat(keylessBody.split("\"value\":", -1)).hasSize(11);
        assertThatThrownBy(() -> DriverArgs.parse("--keys", "maybe")).hasMessageContaining("--keys must be true or false");
        assertThatThrownBy(() -> DriverArgs.parse("--verify=yes")).hasMessageContaining("--verify must be true or false");
    }

    @Test
    void fetchMayReadEverything() {
        assertThat(DriverArgs.parse("--mode", "fetch", "--records", "0").records()).isZero();
        assertThatThrownBy(() -> DriverArgs.parse("--mode", "produce", "--records", "0"))
                .hasMessageContaining("--records");
    }

    @Test
    void rejectsUnknownAndBadOptions() {
        assertThatThrownBy(() -> DriverArgs.parse("--recods", "5")).hasMessageContaining("unknown option --recods");
        assertThatThrownBy(() -> DriverArgs.parse("--batch", "ten")).hasMessageContaining("whole number");
        assertThatThrownBy(() -> DriverArgs.parse("--mode", "consume")).hasMessageContaining("--mode");
        assertThatThrownBy(() -> DriverArgs.parse("--clients")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> DriverArgs.parse("--record-bytes", "4")).hasMessageContaining("at least 8");
    }

    @Test
    void requestsRoundUpToWholeBatches() {
        DriverArgs a = DriverArgs.parse("--batch", "1000");
        assertThat(a.requestsFor(2_000_000)).isEqualTo(2000);
        assertThat(a.requestsFor(2_000_001)).isEqualTo(2001);
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertThat(RunStats.median(3, 1, 2)).isEqualTo(2);
        assertThat(RunStats.median(4, 1, 3, 2)).isEqualTo(2.5);
        assertThat(RunStats.median(7)).isEqualTo(7);
    }

    @Test
    void percentilesComeFromTheHistogramInMilliseconds() {
        Histogram h = RunStats.newHistogram();
        for (int i = 1; i <= 1000; i++) {
            h.recordValue(i * 1000L); // 1 ms .. 1000 ms
        }
        RunStats s = new RunStats("produce", 1, 2_000_000, 200_000_000, 0, 4_000_000_000L, h, h, 0, 0, -1, "", "", false);
        assertThat(s.latencyMs(50)).isCloseTo(500, within(1.0));
        assertThat(s.latencyMs(99)).isCloseTo(990, within(1.0));
        assertThat(s.maxMs()).isCloseTo(1000, within(1.0));
        assertThat(s.recordsPerSecond()).isEqualTo(500_000);
        assertThat(s.payloadMBPerSecond()).isCloseTo(200_000_000 / 1048576.0 / 4, within(1e-9));
        assertThat(s.summary("t")).contains("RESULT mode=produce run=1 records=2000000");
    }

    @Test
    void valuesHaveTheExactSizeAndKeysTheW1Shape() {
        Random r = new Random(1);
        assertThat(Payloads.utf8Length(Payloads.jsonValue(100, r))).isEqualTo(100);
        assertThat(Payloads.utf8Length(Payloads.jsonValue(1024, r))).isEqualTo(1024);
        assertThat(Payloads.key(r)).matches("k-?\\d+");
    }

    @Test
    void readsTheTrailingNumbersOfAFetchAnswer() {
        byte[] body = ("{\"records\":[{\"partition\":0,\"offset\":7,\"timestamp\":1,\"key\":\"k1\",\"value\":{\"v\":\"ab\"},"
                + "\"headers\":{}}],\"nextOffset\":8,\"highWatermark\":123}").getBytes(StandardCharsets.UTF_8);
        assertThat(LoadDriver.tailNumber(body, "nextOffset")).isEqualTo(8);
        assertThat(LoadDriver.tailNumber(body, "highWatermark")).isEqualTo(123);
        assertThat(LoadDriver.tailNumber(body, "missing")).isEqualTo(-1);
        assertThat(LoadDriver.countRecordsAndValueBytes(body)).containsExactly(1, 10);
    }
}
