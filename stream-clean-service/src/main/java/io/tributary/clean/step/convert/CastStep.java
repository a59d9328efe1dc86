package io.tributary.clean.step.convert;

import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.util.Locale;

import io.tributary.clean.step.Fields;
import io.tributary.clean.step.RecordRejectedException;
import io.tributary.clean.step.Step;
import io.tributary.clean.step.StepConfig;
import io.tributary.clean.step.WorkingRecord;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * {@code {"type":"cast","field":"/amount","to":"string|int|long|double|boolean|timestamp"}}:
 * converts a scalar without losing information, or rejects the record:
 * <ul>
 *   <li>{@code int}/{@code long}: integral numbers in range, numbers with a zero fraction
 *       ({@code 3.0}), numeric strings ({@code " 42 "}); {@code 3.5} or {@code "abc"} are rejected;</li>
 *   <li>{@code double}: numbers and numeric strings (not NaN or infinite);</li>
 *   <li>{@code boolean}: booleans, {@code "true"/"false"} (any case), {@code 0}/{@code 1};</li>
 *   <li>{@code string}: the text of any scalar;</li>
 *   <li>{@code timestamp}: an ISO-8601 string or epoch milliseconds, to ISO-8601 UTC.</li>
 * </ul>
 * Objects and arrays are rejected; a missing or null field is left alone.
 */
public final class CastStep implements Step {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final JsonPointer field;
    private final String to;

    private CastStep(JsonPointer field, String to) {
        this.field = field;
        this.to = to;
    }

    public static CastStep from(StepConfig config) {
        config.allowOnly("field", "to");
        return new CastStep(config.pointer("field"),
                config.oneOf("to", null, "string", "int", "long", "double", "boolean", "timestamp"));
    }

    @Override
    public boolean apply(WorkingRecord record) {
        JsonNode value = Fields.get(record.value(), field);
        if (value == null || value.isNull()) {
            return true;
        }
        if (value.isContainer()) {
            throw new RecordRejectedException("cannot cast " + field + " to " + to + ": it is " + Fields.describe(value));
        }
        Fields.set(record.value(), field, convert(value));
        return true;
    }

    private JsonNode convert(JsonNode value) {
        return switch (to) {
            case "string" -> NODES.stringNode(value.asString());
            case "int" -> {
                BigDecimal number = exactIntegral(value);
                try {
                    yield NODES.numberNode(number.intValueExact());
                } catch (ArithmeticException e) {
                    throw rejected(value, "it is out of int range");
                }
            }
            case "long" -> {
                BigDecimal number = exactIntegral(value);
                try {
                    yield NODES.numberNode(number.longValueExact());
                } catch (ArithmeticException e) {
                    throw rejected(value, "it is out of long range");
                }
            }
            case "double" -> {
                double number = decimal(value).doubleValue();
                if (Double.isInfinite(number)) {
                    throw rejected(value, "it is out of double range");
                }
                yield NODES.numberNode(number);
            }
            case "boolean" -> NODES.booleanNode(bool(value));
            default -> NODES.stringNode(value.isNumber()
                    ? Timestamps.epochMillis(value).toString()
                    : Timestamps.iso(value, ZoneOffset.UTC).toString());
        };
    }

    private BigDecimal exactIntegral(JsonNode value) {
        BigDecimal number = decimal(value);
        if (number.stripTrailingZeros().scale() > 0) {
            throw rejected(value, "it has a fraction");
        }
        return number;
    }

    private BigDecimal decimal(JsonNode value) {
        if (value.isNumber()) {
            return value.decimalValue();
        }
        if (value.isString()) {
            try {
                return new BigDecimal(value.stringValue().strip());
            } catch (NumberFormatException e) {
                throw rejected(value, "it is not a number");
            }
        }
        throw rejected(value, "it is " + Fields.describe(value));
    }

    private boolean bool(JsonNode value) {
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isString()) {
            String text = value.stringValue().strip().toLowerCase(Locale.ROOT);
            if (text.equals("true") || text.equals("false")) {
                return Boolean.parseBoolean(text);
            }
        }
        if (value.isIntegralNumber() && (value.asLong() == 0 || value.asLong() == 1) && value.canConvertToLong()) {
            return value.asLong() == 1;
        }
        throw rejected(value, "it is not true, false, 0 or 1");
    }

    private RecordRejectedException rejected(JsonNode value, String why) {
        return new RecordRejectedException("cannot cast " + field + " (" + Timestamps.shorten(value.toString())
                + ") to " + to + ": " + why);
    }
}
