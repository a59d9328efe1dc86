package io.tributary.ingest.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import io.tributary.ingest.log.Bytes;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class JsonBytesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void shouldWriteNumbersLikeLongToString() {
        long[] edges = {0, 1, -1, 9, 10, 99, 100, -10, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1,
            Integer.MAX_VALUE, Integer.MIN_VALUE, 1_000_000_000_000L};
        for (long v : edges) {
            assertThat(text(new JsonBytes(1).number(v))).isEqualTo(Long.toString(v));
        }
        Random random = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            long v = random.nextLong() >> random.nextInt(64);
            assertThat(text(new JsonBytes(1).number(v))).isEqualTo(Long.toString(v));
        }
    }

    @Test
    void shouldEscapeStringsSoAJsonParserReadsThemBack() {
        String[] samples = {"", "plain", "quote\"inside", "back\\slash", "tab\tnew\nline\r", "\u0000\u001f",
            "unicode é ✓ 😀", "mixed \"é\"\n"};
        for (String sample : samples) {
            String json = text(new JsonBytes(1).string(Bytes.utf8(sample)));
            assertThat(JSON.readValue(json, String.class)).isEqualTo(sample);
        }
        assertThat(text(new JsonBytes(1).string((Bytes) null))).isEqualTo("null");
    }

    @Test
    void shouldGrowPastItsInitialCapacity() {
        JsonBytes out = new JsonBytes(1);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            out.raw("[".getBytes(StandardCharsets.US_ASCII)).number(i).raw(']');
            expected.append('[').append(i).append(']');
        }
        assertThat(text(out)).isEqualTo(expected.toString());
    }

    private static String text(JsonBytes out) {
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }
}
