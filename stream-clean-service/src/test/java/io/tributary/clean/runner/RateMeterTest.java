package io.tributary.clean.runner;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RateMeterTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final RateMeter meter = new RateMeter(now::get);

    @Test
    void shouldAverageCompleteSecondsOfTheWindow() {
        for (int second = 0; second < 10; second++) {
            meter.mark(100);
            now.addAndGet(1_000);
        }
        meter.mark(5_000); // the current second does not count yet
        assertThat(meter.perSecond()).isEqualTo(100.0);
    }

    @Test
    void shouldForgetSecondsThatLeftTheWindow() {
        meter.mark(1_000);
        now.addAndGet(5_000);
        assertThat(meter.perSecond()).isEqualTo(100.0);
        now.addAndGet(10_000);
        assertThat(meter.perSecond()).isZero();
        meter.mark(10);
        now.addAndGet(1_000);
        assertThat(meter.perSecond()).isEqualTo(1.0);
    }
}
