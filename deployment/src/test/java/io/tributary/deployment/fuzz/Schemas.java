package io.tributary.deployment.fuzz;

import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Resolves the {@code $ref}s of one OpenAPI document ({@code #/components/...} only, which is what springdoc writes). */
final class Schemas {

    /** How deep {@link #inline} follows references; below that a schema is "anything" (recursive types end there). */
    private static final int MAX_DEPTH = 24;

    private final JsonNode document;

    Schemas(JsonNode document) {
        this.document = document;
    }

    /** The node a {@code $ref} points at, or the node itself when it is no reference. */
    JsonNode resolve(JsonNode node) {
        JsonNode current = node;
        for (int hops = 0; current.has("$ref") && hops < 10; hops++) {
            String ref = current.get("$ref").asString();
            current = ref.startsWith("#") ? document.at(ref.substring(1)) : JsonNodeFactory.instance.objectNode();
        }
        return current;
    }

    /** A copy of a schema with every reference in it replaced by what it names. */
    JsonNode inline(JsonNode schema) {
        return inline(schema, 0);
    }

    private JsonNode inline(JsonNode schema, int depth) {
        JsonNode resolved = resolve(schema);
        if (depth > MAX_DEPTH) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (resolved.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> e : resolved.properties()) {
                copy.set(e.getKey(), inline(e.getValue(), depth + 1));
            }
            return copy;
        }
        if (resolved.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            resolved.forEach(item -> copy.add(inline(item, depth + 1)));
            return copy;
        }
        return resolved;
    }
}
