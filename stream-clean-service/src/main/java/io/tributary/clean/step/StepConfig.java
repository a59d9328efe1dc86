package io.tributary.clean.step;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;

/**
 * Typed access to one step's JSON configuration, with messages that name the option. Unknown
 * options are refused ({@link #allowOnly}) so a typo is an error rather than a silent default.
 */
public final class StepConfig {

    /** Nesting of a whole step specification (a validate schema, an insert value). */
    public static final int MAX_SPEC_DEPTH = 32;
    /** Longest text option (filter expressions are bounded at 1,000 by the sandbox too). */
    public static final int MAX_TEXT_CHARS = 1_000;
    /** Nesting of a constant value ({@code insert}'s {@code value}). */
    public static final int MAX_VALUE_DEPTH = 8;

    private final JsonNode node;

    public StepConfig(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new StepConfigException("a step must be a JSON object with a \"type\"");
        }
        if (io.tributary.clean.process.JsonDepth.exceeds(node, MAX_SPEC_DEPTH)) {
            throw new StepConfigException("a step may nest at most " + MAX_SPEC_DEPTH + " levels deep");
        }
        this.node = node;
    }

    public String type() {
        return text("type");
    }

    public boolean has(String option) {
        return node.has(option) && !node.get(option).isNull();
    }

    public JsonNode raw(String option) {
        return node.get(option);
    }

    /** A constant JSON value, bounded in nesting ({@link #MAX_VALUE_DEPTH}); null when absent. */
    public JsonNode value(String option) {
        JsonNode value = node.get(option);
        if (value != null && io.tributary.clean.process.JsonDepth.exceeds(value, MAX_VALUE_DEPTH)) {
            throw new StepConfigException("\"" + option + "\" may nest at most " + MAX_VALUE_DEPTH + " levels deep");
        }
        return value;
    }

    public String text(String option) {
        JsonNode value = node.get(option);
        if (value == null || !value.isString() || value.stringValue().isBlank()) {
            throw new StepConfigException("\"" + option + "\" is required and must be a non-empty string");
        }
        if (value.stringValue().length() > MAX_TEXT_CHARS) {
            throw new StepConfigException("\"" + option + "\" may have at most " + MAX_TEXT_CHARS + " characters");
        }
        return value.stringValue();
    }

    public String text(String option, String defaultValue) {
        return has(option) ? text(option) : defaultValue;
    }

    public int integer(String option, int defaultValue, int min, int max) {
        if (!has(option)) {
            return defaultValue;
        }
        JsonNode value = node.get(option);
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min || value.intValue() > max) {
            throw new StepConfigException("\"" + option + "\" must be an integer from " + min + " to " + max);
        }
        return value.intValue();
    }

    public boolean bool(String option, boolean defaultValue) {
        if (!has(option)) {
            return defaultValue;
        }
        JsonNode value = node.get(option);
        if (!value.isBoolean()) {
            throw new StepConfigException("\"" + option + "\" must be true or false");
        }
        return value.booleanValue();
    }

    public JsonPointer pointer(String option) {
        JsonNode value = node.get(option);
        if (value == null || !value.isString()) {
            throw new StepConfigException("\"" + option + "\" is required and must be a JSON Pointer string");
        }
        return Fields.pointer(value.stringValue(), option);
    }

    public List<JsonPointer> pointers(String option) {
        JsonNode value = node.get(option);
        if (value == null || !value.isArray() || value.isEmpty()) {
            throw new StepConfigException("\"" + option + "\" is required and must be a non-empty array of JSON Pointers");
        }
        List<JsonPointer> pointers = new ArrayList<>();
        for (JsonNode element : value) {
            if (!element.isString()) {
                throw new StepConfigException("\"" + option + "\" must hold JSON Pointer strings");
            }
            pointers.add(Fields.pointer(element.stringValue(), option));
        }
        return pointers;
    }

    /** A choice among fixed values, case-sensitive. */
    public String oneOf(String option, String defaultValue, String... choices) {
        String value = defaultValue == null ? text(option) : text(option, defaultValue);
        if (!Arrays.asList(choices).contains(value)) {
            throw new StepConfigException("\"" + option + "\" must be one of " + String.join(", ", choices)
                    + ", was \"" + value + "\"");
        }
        return value;
    }

    /** Refuses options other than {@code type} and the given ones. */
    public void allowOnly(String... options) {
        Set<String> allowed = new TreeSet<>(Arrays.asList(options));
        allowed.add("type");
        for (String name : node.propertyNames()) {
            if (!allowed.contains(name)) {
                throw new StepConfigException("unknown option \"" + name + "\"; " + type() + " takes "
                        + String.join(", ", allowed));
            }
        }
    }
}
