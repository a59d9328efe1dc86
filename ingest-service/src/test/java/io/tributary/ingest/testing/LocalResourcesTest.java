package io.tributary.ingest.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class LocalResourcesTest {

    @Test
    void portsComeFromBelowTheEphemeralRangeAndNeverTwice() {
        int ephemeralLow = LocalResources.ephemeralLow();
        assertThat(ephemeralLow).as("the first port of the ephemeral range, read whole").isGreaterThan(1024);
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = LocalResources.freePort();
            assertThat(port).isBetween(10_000, ephemeralLow - 1);
            assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
        }
    }
}
