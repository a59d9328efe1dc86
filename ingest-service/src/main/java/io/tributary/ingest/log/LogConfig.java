package io.tributary.ingest.log;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Per-topic log settings, named and defaulted as in Kafka so that users can carry their
 * topic configs over. Unknown keys and bad values are rejected with {@link InvalidConfigException}.
 *
 * @param segmentBytes       roll the active segment when a batch would take it past this size
 * @param segmentMs          roll the active segment when its first append is older than this
 * @param retentionMs        delete whole segments whose newest record is older than this; -1 keeps forever
 * @param retentionBytes     delete the oldest segments while the partition is larger than this; -1 = no limit
 * @param compact            {@code cleanup.policy} contains {@code compact}: keep the newest record per key
 * @param delete             {@code cleanup.policy} contains {@code delete}: apply the retention limits
 * @param flushMessages      fsync after this many unflushed records (1 = every batch before it is acknowledged)
 * @param flushMs            fsync when the oldest unflushed record is older than this
 * @param indexIntervalBytes bytes of log between offset/time index entries
 * @param maxMessageBytes    the largest batch a single produce may write to one partition
 * @param deleteRetentionMs  how long a compacted topic keeps tombstones (null values)
 * @param minCompactionLagMs records younger than this are never compacted away
 * @param binaryValues       {@code value.format=binary}: values are any bytes (Kafka clients may write anything;
 *                           the REST API renders them as base64); {@code json} (the default): every value is one
 *                           JSON value, checked on every produce path
 */
public record LogConfig(
        int segmentBytes,
        long segmentMs,
        long retentionMs,
        long retentionBytes,
        boolean compact,
        boolean delete,
        long flushMessages,
        long flushMs,
        int indexIntervalBytes,
        int maxMessageBytes,
        long deleteRetentionMs,
        long minCompactionLagMs,
        boolean binaryValues) {

    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_MS = "segment.ms";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String FLUSH_MESSAGES = "flush.messages";
    public static final String FLUSH_MS = "flush.ms";
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
    /** Not a Kafka topic config: what the values of the topic are, {@code json} or {@code binary}. */
    public static final String VALUE_FORMAT = "value.format";

    public static final Set<String> KEYS = Set.of(SEGMENT_BYTES, SEGMENT_MS, RETENTION_MS, RETENTION_BYTES,
            CLEANUP_POLICY, FLUSH_MESSAGES, FLUSH_MS, INDEX_INTERVAL_BYTES, MAX_MESSAGE_BYTES, DELETE_RETENTION_MS,
            MIN_COMPACTION_LAG_MS, VALUE_FORMAT);

    private static final long DAY_MS = 24L * 60 * 60 * 1000;

    /**
     * Defaults: 1 GiB / 7-day segments, 7-day retention, no size limit, delete policy, fsync at
     * least every second (a single node has no replica to fall back on), index entry every
     * 4 KiB, 16 MiB batches (a REST request of 1,000 records of 1 KiB lands as one batch),
     * tombstones kept a day.
     */
    public static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry(SEGMENT_BYTES, String.valueOf(1 << 30)),
            Map.entry(SEGMENT_MS, String.valueOf(7 * DAY_MS)),
            Map.entry(RETENTION_MS, String.valueOf(7 * DAY_MS)),
            Map.entry(RETENTION_BYTES, "-1"),
            Map.entry(CLEANUP_POLICY, "delete"),
            Map.entry(FLUSH_MESSAGES, String.valueOf(Long.MAX_VALUE)),
            Map.entry(FLUSH_MS, "1000"),
            Map.entry(INDEX_INTERVAL_BYTES, "4096"),
            Map.entry(MAX_MESSAGE_BYTES, String.valueOf(16 << 20)),
            Map.entry(DELETE_RETENTION_MS, String.valueOf(DAY_MS)),
            Map.entry(MIN_COMPACTION_LAG_MS, "0"),
            Map.entry(VALUE_FORMAT, "json"));

    public static LogConfig defaults() {
        return from(Map.of());
    }

    /** The defaults overridden by {@code overrides}. */
    public static LogConfig from(Map<String, String> overrides) {
        for (String key : overrides.keySet()) {
            if (!KEYS.contains(key)) {
                throw new InvalidConfigException(key, "is not a topic config; known keys are " + KEYS);
            }
        }
        Map<String, String> all = new LinkedHashMap<>(DEFAULTS);
        all.putAll(overrides);
        String policy = all.get(CLEANUP_POLICY).replace(" ", "");
        Set<String> policies = new HashSet<>(Arrays.asList(policy.split(",")));
        if (policy.isEmpty() || !Set.of("delete", "compact").containsAll(policies)) {
            throw new InvalidConfigException(CLEANUP_POLICY, "must be delete, compact or compact,delete");
        }
        return new LogConfig(
                (int) positive(all, SEGMENT_BYTES, 1024, Integer.MAX_VALUE),
                positive(all, SEGMENT_MS, 1, Long.MAX_VALUE),
                limitOrUnbounded(all, RETENTION_MS),
                limitOrUnbounded(all, RETENTION_BYTES),
                policies.contains("compact"),
                policies.contains("delete"),
                positive(all, FLUSH_MESSAGES, 1, Long.MAX_VALUE),
                positive(all, FLUSH_MS, 0, Long.MAX_VALUE),
                (int) positive(all, INDEX_INTERVAL_BYTES, 0, Integer.MAX_VALUE),
                (int) positive(all, MAX_MESSAGE_BYTES, 64, Integer.MAX_VALUE),
                positive(all, DELETE_RETENTION_MS, 0, Long.MAX_VALUE),
                positive(all, MIN_COMPACTION_LAG_MS, 0, Long.MAX_VALUE),
                binaryValues(all.get(VALUE_FORMAT)));
    }

    /**
     * Refuses a config change a topic's stored data cannot take: {@code value.format} from
     * {@code binary} back to {@code json}, since the topic may hold values that are not JSON.
     */
    public static void checkChange(LogConfig before, LogConfig after) {
        if (before.binaryValues() && !after.binaryValues()) {
            throw new InvalidConfigException(VALUE_FORMAT, "cannot go from binary back to json: the topic may hold "
                    + "values that are not JSON");
        }
    }

    private static boolean binaryValues(String format) {
        return switch (format.trim()) {
            case "json" -> false;
            case "binary" -> true;
            default -> throw new InvalidConfigException(VALUE_FORMAT, "must be json or binary, was '" + format + "'");
        };
    }

    private static long positive(Map<String, String> all, String key, long min, long max) {
        long value = parse(all, key);
        if (value < min || value > max) {
            throw new InvalidConfigException(key, "must be between " + min + " and " + max + ", was " + value);
        }
        return value;
    }

    private static long limitOrUnbounded(Map<String, String> all, String key) {
        long value = parse(all, key);
        if (value < -1) {
            throw new InvalidConfigException(key, "must be -1 (unbounded) or positive, was " + value);
        }
        return value;
    }

    private static long parse(Map<String, String> all, String key) {
        String raw = all.get(key).trim();
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(key, "must be a whole number, was '" + raw + "'");
        }
    }

    /** Thrown for an unknown topic config key or a value out of range. */
    public static class InvalidConfigException extends RuntimeException {

        private final String key;

        public InvalidConfigException(String key, String problem) {
            super("topic config " + key + " " + problem);
            this.key = key;
        }

        public String key() {
            return key;
        }
    }
}
