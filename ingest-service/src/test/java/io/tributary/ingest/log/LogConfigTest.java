package io.tributary.ingest.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogConfigTest {

    @Test
    void shouldUseKafkaDefaults() {
        LogConfig c = LogConfig.defaults();
        assertThat(c.segmentBytes()).isEqualTo(1 << 30);
        assertThat(c.segmentMs()).isEqualTo(7L * 24 * 60 * 60 * 1000);
        assertThat(c.retentionMs()).isEqualTo(7L * 24 * 60 * 60 * 1000);
        assertThat(c.retentionBytes()).isEqualTo(-1);
        assertThat(c.delete()).isTrue();
        assertThat(c.compact()).isFalse();
        assertThat(c.flushMessages()).isEqualTo(Long.MAX_VALUE);
        assertThat(c.flushMs()).isEqualTo(1000);
        assertThat(c.indexIntervalBytes()).isEqualTo(4096);
        assertThat(c.maxMessageBytes()).isEqualTo(16 << 20);
        assertThat(c.deleteRetentionMs()).isEqualTo(24L * 60 * 60 * 1000);
        assertThat(c.minCompactionLagMs()).isZero();
    }

    @Test
    void shouldApplyOverrides() {
        LogConfig c = LogConfig.from(Map.of(LogConfig.SEGMENT_BYTES, "4096", LogConfig.RETENTION_MS, "-1",
                LogConfig.CLEANUP_POLICY, "compact, delete", LogConfig.FLUSH_MESSAGES, "1", LogConfig.INDEX_INTERVAL_BYTES,
                " 0 "));
        assertThat(c.segmentBytes()).isEqualTo(4096);
        assertThat(c.retentionMs()).isEqualTo(-1);
        assertThat(c.compact()).isTrue();
        assertThat(c.delete()).isTrue();
        assertThat(c.flushMessages()).isEqualTo(1);
        assertThat(c.indexIntervalBytes()).isZero();
        assertThat(LogConfig.from(Map.of(LogConfig.CLEANUP_POLICY, "compact")).delete()).isFalse();
        LogConfig repeated = LogConfig.from(Map.of(LogConfig.CLEANUP_POLICY, "compact,compact"));
        assertThat(repeated.compact()).isTrue();
        assertThat(repeated.delete()).isFalse();
    }

    @Test
    void shouldRejectUnknownKeysNamingThem() {
        assertThatThrownBy(() -> LogConfig.from(Map.of("retention.hours", "1")))
                .isInstanceOfSatisfying(LogConfig.InvalidConfigException.class,
                        e -> assertThat(e.key()).isEqualTo("retention.hours"))
                .hasMessageContaining("retention.hours");
    }

    @ParameterizedTest
    @CsvSource({
            "segment.bytes, 100",
            "segment.bytes, 4294967296",
            "segment.bytes, abc",
            "segment.ms, 0",
            "retention.ms, -2",
            "retention.bytes, -5",
            "cleanup.policy, ''",
            "cleanup.policy, remove",
            "cleanup.policy, 'compact,,delete'",
            "flush.messages, 0",
            "flush.ms, -1",
            "index.interval.bytes, -1",
            "max.message.bytes, 10",
            "delete.retention.ms, -1",
            "min.compaction.lag.ms, 1.5",
    })
    void shouldRejectBadValuesNamingTheKey(String key, String value) {
        assertThatThrownBy(() -> LogConfig.from(Map.of(key, value)))
                .isInstanceOfSatisfying(LogConfig.InvalidConfigException.class, e -> assertThat(e.key()).isEqualTo(key))
                .hasMessageContaining(key);
    }

    @Test
    void valueFormatIsJsonByDefaultBinaryOnRequestAndNeverBackToJson() {
        assertThat(LogConfig.defaults().binaryValues()).isFalse();
        LogConfig binary = LogConfig.from(Map.of(LogConfig.VALUE_FORMAT, "binary"));
        assertThat(binary.binaryValues()).isTrue();
        assertThatThrownBy(() -> LogConfig.from(Map.of(LogConfig.VALUE_FORMAT, "avro")))
                .isInstanceOf(LogConfig.InvalidConfigException.class).hasMessageContaining("json or binary");
        LogConfig.checkChange(LogConfig.defaults(), binary); // json values are bytes too
        assertThatThrownBy(() -> LogConfig.checkChange(binary, LogConfig.defaults()))
                .isInstanceOf(LogConfig.InvalidConfigException.class).hasMessageContaining("back to json");
    }
}
