package io.tributary.analytics.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonPointer;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.MissingNode;

/**
 * The few fields of a record a job reads, as an array with one slot per JSON Pointer, taken
 * either from a tree ({@link #of}) or straight from a parser's tokens ({@link #read}) — the second
 * skips every field no pointer leads to, so a job builds no tree per record.
 *
 * <p>The pointers form a trie of property names (array indexes are names too: {@code /items/0}).
 * A slot holds the value's node, or null when the record has no such field. Where a pointer ends
 * inside another pointer's value (both {@code /a} and {@code /a/b}), the outer value is read as a
 * tree and the inner one taken from it. Immutable and thread-safe.
 */
public final class Projection {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A trie node: the slots whose pointer ends here, children by property name. */
    private static final class Step {
        final List<Integer> slots = new ArrayList<>();
        final Map<String, Step> children = new HashMap<>();
        /** Slots of pointers below this step, with their pointer relative to it; filled where {@code slots} is non-empty. */
        final Map<Integer, JsonPointer> below = new HashMap<>();
    }

    private final List<JsonPointer> pointers;
    private final Step root = new Step();

    public Projection(List<String> pointers) {
        this.pointers = pointers.stream().map(JsonPointer::compile).toList();
        for (int slot = 0; slot < this.pointers.size(); slot++) {
            Step step = root;
            for (JsonPointer rest = this.pointers.get(slot); !rest.matches(); rest = rest.tail()) {
                step = step.children.computeIfAbsent(rest.getMatchingProperty(), name -> new Step());
            }
            step.slots.add(slot);
        }
        linkNested(root, new ArrayList<>());
    }

    public int size() {
        return pointers.size();
    }

    /** The slots of a tree. */
    public JsonNode[] of(JsonNode record) {
        JsonNode[] row = new JsonNode[pointers.size()];
        for (int slot = 0; slot < row.length; slot++) {
            JsonNode node = record.at(pointers.get(slot));
            row[slot] = node.isMissingNode() ? null : node;
        }
        return row;
    }

    /**
     * The slots of the value the parser stands on; leaves the parser on the value's last token
     * (the contract of an ingest-client {@code ValueReader}).
     */
    public JsonNode[] read(JsonParser parser) {
        JsonNode[] row = new JsonNode[pointers.size()];
        read(parser, root, row);
        return row;
    }

    private static void read(JsonParser parser, Step step, JsonNode[] row) {
        JsonToken token = parser.currentToken();
        if (!step.slots.isEmpty()) {
            JsonNode value = value(parser, token);
            for (int slot : step.slots) {
                row[slot] = value;
            }
            step.below.forEach((slot, pointer) -> {
                JsonNode inner = value.at(pointer);
                row[slot] = inner.isMissingNode() ? null : inner;
            });
            return;
        }
        if (token == JsonToken.START_OBJECT) {
            String name;
            while ((name = parser.nextName()) != null) {
                parser.nextToken();
                Step child = step.children.get(name);
                if (child == null) {
                    parser.skipChildren();
                } else {
                    read(parser, child, row);
                }
            }
        } else if (token == JsonToken.START_ARRAY) {
            int index = 0;
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                Step child = step.children.get(Integer.toString(index++));
                if (child == null) {
                    parser.skipChildren();
                } else {
                    read(parser, child, row);
                }
            }
        }
        // a scalar where the pointers expect more: none of them leads anywhere
    }

    private static JsonNode value(JsonParser parser, JsonToken token) {
        return switch (token) {
            case VALUE_STRING -> NODES.stringNode(parser.getString());
            case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
                case INT -> NODES.numberNode(parser.getIntValue());
                case LONG -> NODES.numberNode(parser.getLongValue());
                default -> NODES.numberNode(parser.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDoubleValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            case START_OBJECT, START_ARRAY -> {
                JsonNode tree = parser.readValueAsTree();
                yield tree == null ? MissingNode.getInstance() : tree;
            }
            default -> MissingNode.getInstance();
        };
    }

    /** Records, at every step that ends a pointer, the pointers that continue below it. */
    private void linkNested(Step step, List<String> path) {
        if (!step.slots.isEmpty()) {
            for (int slot = 0; slot < pointers.size(); slot++) {
                String full = pointers.get(slot).toString();
                String prefix = pointerOf(path);
                if (full.startsWith(prefix + "/") && full.length() > prefix.length() + 1) {
                    step.below.put(slot, JsonPointer.compile(full.substring(prefix.length())));
                }
            }
            return;
        }
        step.children.forEach((name, child) -> {
            List<String> deeper = new ArrayList<>(path);
            deeper.add(name);
            linkNested(child, deeper);
        });
    }

    private static String pointerOf(List<String> path) {
        StringBuilder text = new StringBuilder();
        for (String name : path) {
            text.append('/').append(name.replace("~", "~0").replace("/", "~1"));
        }
        return text.toString();
    }
}
