package io.tributary.deployment.fuzz;

import java.time.Instant;
import java.util.Map;
import java.util.Random;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A plausible value for an (inlined) schema: the type, enum values and bounds it names. Not a validator's idea of
 * valid (patterns and cross-field rules are not followed): the base that the mutations in {@link FuzzCases} break.
 */
final class SchemaSamples {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Random random;

    SchemaSamples(Random random) {
        this.random = random;
    }

    JsonNode sample(JsonNode schema) {
        return sample(schema, 0);
    }

    private JsonNode sample(JsonNode schema, int depth) {
        if (schema == null || schema.isMissingNode()) {
            return NODES.objectNode();
        }
        JsonNode example = schema.get("example");
        if (example != null && !example.isNull() && random.nextBoolean()) {
            return example.deepCopy();
        }
        if (schema.has("enum") && !schema.get("enum").isEmpty()) {
            JsonNode values = schema.get("enum");
            return values.get(random.nextInt(values.size())).deepCopy();
        }
        for (String choice : new String[] {"oneOf", "anyOf", "allOf"}) {
            if (schema.has(choice) && !schema.get(choice).isEmpty()) {
                JsonNode options = schema.get(choice);
                return sample(options.get(random.nextInt(options.size())), depth + 1);
            }
        }
        String type = type(schema);
        return switch (type) {
            case "object" -> object(schema, depth);
            case "array" -> {
                ArrayNode array = NODES.arrayNode();
                int items = Math.max(1, schema.path("minItems").asInt(1));
                for (int i = 0; i < items && depth < 12; i++) {
                    array.add(sample(schema.path("items"), depth + 1));
                }
                yield array;
            }
            case "integer" -> NODES.numberNode(Math.max(schema.path("minimum").asLong(1), Math.min(
                    schema.path("maximum").asLong(Long.MAX_VALUE), 1 + random.nextInt(3))));
            case "number" -> NODES.numberNode(1.5);
            case "boolean" -> NODES.booleanNode(random.nextBoolean());
            case "string" -> NODES.stringNode(string(schema));
            default -> NODES.objectNode();
        };
    }

    private ObjectNode object(JsonNode schema, int depth) {
        ObjectNode object = NODES.objectNode();
        if (depth > 12) {
            return object;
        }
        java.util.Set<String> required = new java.util.HashSet<>();
        schema.path("required").forEach(r -> required.add(r.asString()));
        for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
            if (required.contains(property.getKey()) || random.nextInt(3) > 0) {
                object.set(property.getKey(), sample(property.getValue(), depth + 1));
            }
        }
        return object;
    }

    private String string(JsonNode schema) {
        String format = schema.path("format").asString("");
        if (format.equals("date-time")) {
            return Instant.now().toString();
        }
        int min = schema.path("minLength").asInt(1);
        StringBuilder s = new StringBuilder("fuzz");
        while (s.length() < min) {
            s.append((char) ('a' + random.nextInt(26)));
        }
        s.append(random.nextInt(1000));
        int max = schema.path("maxLength").asInt(Integer.MAX_VALUE);
        return s.length() > max ? s.substring(0, max) : s.toString();
    }

    /** The schema's type; OpenAPI 3.1 may give a list ({@code ["string", "null"]}): its first non-null entry. */
    static String type(JsonNode schema) {
        JsonNode type = schema.path("type");
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (!t.asString().equals("null")) {
                    return t.asString();
                }
            }
        }
        if (type.isString()) {
            return type.asString();
        }
        return schema.has("properties") ? "object" : schema.has("items") ? "array" : "any";
    }
}
