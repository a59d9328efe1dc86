package io.tributary.clean.step;

import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and writes record fields addressed by JSON Pointer (RFC 6901). Writes create missing
 * intermediate objects; a pointer that runs into a scalar, or an array index that does not
 * exist, rejects the record rather than guessing.
 */
public final class Fields {

    /** Longest field pointer. */
    public static final int MAX_POINTER_CHARS = 300;
    /** Most segments of a field pointer (writes create missing parents: this bounds what they add). */
    public static final int MAX_POINTER_SEGMENTS = 16;

    private Fields() {
    }

    /** Parses a field pointer; the empty pointer (the whole value) is not a field. */
    public static JsonPointer pointer(String text, String option) {
        if (text == null || text.isEmpty()) {
            throw new StepConfigException("\"" + option + "\" must be a JSON Pointer to a field, e.g. \"/customer/email\"");
        }
        if (text.length() > MAX_POINTER_CHARS) {
            throw new StepConfigException("\"" + option + "\" may have at most " + MAX_POINTER_CHARS + " characters");
        }
        JsonPointer pointer;
        try {
            pointer = JsonPointer.compile(text);
        } catch (IllegalArgumentException e) {
            throw new StepConfigException("\"" + option + "\" is not a JSON Pointer (" + text + "): it must start with '/'");
        }
        int segments = 0;
        for (JsonPointer rest = pointer; !rest.matches(); rest = rest.tail()) {
            segments++;
        }
        if (segments > MAX_POINTER_SEGMENTS) {
            throw new StepConfigException("\"" + option + "\" may have at most " + MAX_POINTER_SEGMENTS + " segments");
        }
        return pointer;
    }

    /** The node at the pointer, or null when there is none (a JSON null is returned as a node). */
    public static JsonNode get(ObjectNode root, JsonPointer pointer) {
        JsonNode node = root.at(pointer);
        return node.isMissingNode() ? null : node;
    }

    /** Sets the field, creating missing parent objects. */
    public static void set(ObjectNode root, JsonPointer pointer, JsonNode value) {
        JsonNode parent = ensureParent(root, pointer);
        JsonPointer last = pointer.last();
        if (parent instanceof ObjectNode object) {
            object.set(last.getMatchingProperty(), value);
        } else if (parent instanceof ArrayNode array && last.mayMatchElement()
                && last.getMatchingIndex() < array.size()) {
            array.set(last.getMatchingIndex(), value);
        } else if (parent instanceof ArrayNode array && "-".equals(last.getMatchingProperty())) {
            array.add(value);
        } else {
            throw new RecordRejectedException("cannot write " + pointer + ": its parent is "
                    + describe(parent) + ", not an object");
        }
    }

    /** Removes the field and returns it, or null when it was not there. */
    public static JsonNode remove(ObjectNode root, JsonPointer pointer) {
        JsonNode parent = root.at(pointer.head());
        JsonPointer last = pointer.last();
        if (parent instanceof ObjectNode object) {
            return object.remove(last.getMatchingProperty());
        }
        if (parent instanceof ArrayNode array && last.mayMatchElement() && last.getMatchingIndex() < array.size()) {
            return array.remove(last.getMatchingIndex());
        }
        return null;
    }

    private static JsonNode ensureParent(ObjectNode root, JsonPointer pointer) {
        JsonNode current = root;
        JsonPointer rest = pointer;
        while (rest.tail() != null && !rest.tail().matches()) {
            String name = rest.getMatchingProperty();
            JsonNode next;
            if (current instanceof ObjectNode object) {
                next = object.get(name);
                if (next == null || next.isNull()) {
                    next = object.putObject(name);
                }
            } else if (current instanceof ArrayNode array && rest.mayMatchElement()
                    && rest.getMatchingIndex() < array.size()) {
                next = array.get(rest.getMatchingIndex());
            } else {
                throw new RecordRejectedException("cannot write " + pointer + ": it runs through " + describe(current));
            }
            current = next;
            rest = rest.tail();
        }
        return current;
    }

    /** A short description of a node's type for reasons: "a string", "an array", ... */
    public static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "missing";
        }
        return switch (node.getNodeType()) {
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
