package io.tributary.clean.step.dedupe;

import java.time.Duration;

import org.springframework.boot.convert.DurationStyle;

import io.tributary.clean.step.Fields;
import io.tributary.clean.step.RecordRejectedException;
import io.tributary.clean.step.Step;
import io.tributary.clean.step.StepConfig;
import io.tributary.clean.step.StepConfigException;
import io.tributary.clean.step.WorkingRecord;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;

/**
 * {@code {"type":"dedupe","field":"/orderId","window":"10m","maxKeys":100000}}: drops a record
 * whose key was already seen, within {@code window} (by record timestamp, default 1h), in the
 * same source partition. The key is the field's value (a string, number or boolean; a string
 * and a number with the same text are different keys) or, without {@code field}, the record
 * key. A record without a key (missing or null) passes; an object or array key rejects it.
 *
 * <p>State is per source partition (records with one key land in one partition when the
 * producer keys them) and bounded: keys leave after the window or, oldest first, beyond
 * {@code maxKeys} (default 100,000, at most 10,000,000) — see {@link SeenKeys}. The runner keeps
 * it in the database, so it survives restarts and follows a partition to another instance.
 */
public final class DedupeStep implements Step {

    public static final String RECORD_KEY_STATE = "key";
    private static final Duration MAX_WINDOW = Duration.ofDays(30);
    /** The stored state name is the field pointer; its column holds 300 characters. */
    private static final int MAX_FIELD_CHARS = 300;

    private final JsonPointer field;
    private final long windowMillis;
    private final int maxKeys;

    private DedupeStep(JsonPointer field, long windowMillis, int maxKeys) {
        this.field = field;
        this.windowMillis = windowMillis;
        this.maxKeys = maxKeys;
    }

    public static DedupeStep from(StepConfig config) {
        config.allowOnly("field", "window", "maxKeys");
        JsonPointer field = config.has("field") ? config.pointer("field") : null;
        if (field != null && field.toString().length() > MAX_FIELD_CHARS) {
            throw new StepConfigException("\"field\" must be at most " + MAX_FIELD_CHARS + " characters");
        }
        Duration window;
        try {
            window = DurationStyle.detectAndParse(config.text("window", "1h"));
        } catch (IllegalArgumentException e) {
            throw new StepConfigException("\"window\" must be a duration such as \"10m\", \"36h\" or \"PT10M\", was "
                    + config.raw("window"));
        }
        if (window.isNegative() || window.isZero() || window.compareTo(MAX_WINDOW) > 0) {
            throw new StepConfigException("\"window\" must be more than 0 and at most 30d");
        }
        return new DedupeStep(field, window.toMillis(), config.integer("maxKeys", 100_000, 1, 10_000_000));
    }

    /**
     * The name of the state this step keeps: what it keys on. Two dedupe steps on the same key
     * share a state (harmlessly: the second sees each record's own first occurrence); a step
     * that changes its key starts from nothing.
     */
    public String stateName() {
        return field == null ? RECORD_KEY_STATE : field.toString();
    }

    @Override
    public boolean apply(WorkingRecord record) {
        String keyText = keyText(record);
        if (keyText == null) {
            return true;
        }
        boolean duplicate = record.keyMemory().state(stateName())
                .duplicate(KeyHash.of(keyText), record.offset(), record.timestamp(), windowMillis, maxKeys);
        if (duplicate) {
            record.markDuplicate();
        }
        return !duplicate;
    }

    private String keyText(WorkingRecord record) {
        if (field == null) {
            return record.key() == null ? null : "s" + record.key();
        }
        JsonNode value = Fields.get(record.value(), field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isContainer()) {
            throw new RecordRejectedException("cannot dedupe on " + field + ": it is " + Fields.describe(value));
        }
        return (value.isString() ? "s" : "v") + value.asString();
    }
}
