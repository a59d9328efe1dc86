package io.tributary.clean.step.validate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.tributary.clean.step.StepConfigException;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;

/**
 * Refuses a schema whose local references loop without reading anything of the value: from a
 * subschema, follow the keywords that apply other schemas <em>to the same value</em>
 * ({@code $ref}, {@code $dynamicRef}, {@code allOf}, {@code anyOf}, {@code oneOf}, {@code not},
 * {@code if}, {@code then}, {@code else}, {@code dependentSchemas}); if that leads back to where
 * it started ({@code {"$ref":"#"}}), validation would recurse until the stack overflows, on every
 * record. Recursion through {@code properties}, {@code items} and the like is fine: each level
 * reads one level deeper into the value, whose depth is bounded.
 */
final class SchemaLoops {

    private static final List<String> IN_PLACE_LISTS = List.of("allOf", "anyOf", "oneOf");
    private static final List<String> IN_PLACE_SCHEMAS = List.of("not", "if", "then", "else");

    private final JsonNode root;
    private final Map<String, JsonNode> anchors = new HashMap<>();
    /** 1 = on the current path, 2 = done. */
    private final Map<String, Integer> marks = new HashMap<>();

    private SchemaLoops(JsonNode root) {
        this.root = root;
        collectAnchors(root);
    }

    static void refuse(JsonNode schema) {
        SchemaLoops loops = new SchemaLoops(schema);
        loops.visitAll(schema, "");
    }

    /** Starts a search from every object in the schema document. */
    private void visitAll(JsonNode node, String pointer) {
        if (node.isObject()) {
            search(pointer);
            for (var field : node.properties()) {
                visitAll(field.getValue(), pointer + "/" + escape(field.getKey()));
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                visitAll(node.get(i), pointer + "/" + i);
            }
        }
    }

    /** Depth-first over in-place edges, iteratively (a long chain cannot overflow the stack here). */
    private void search(String start) {
        if (marks.containsKey(start)) {
            return;
        }
        List<String> path = new ArrayList<>();
        List<List<String>> pending = new ArrayList<>();
        path.add(start);
        marks.put(start, 1);
        pending.add(edges(start));
        while (!path.isEmpty()) {
            List<String> next = pending.get(pending.size() - 1);
            if (next.isEmpty()) {
                marks.put(path.remove(path.size() - 1), 2);
                pending.remove(pending.size() - 1);
                continue;
            }
            String target = next.remove(next.size() - 1);
            Integer mark = marks.get(target);
            if (mark != null && mark == 1) {
                throw new StepConfigException("\"schema\" refers to itself without reading the value (at "
                        + (target.isEmpty() ? "#" : "#" + target) + "): validation would never end");
            }
            if (mark == null) {
                marks.put(target, 1);
                path.add(target);
                pending.add(edges(target));
            }
        }
    }

    private List<String> edges(String pointer) {
        List<String> edges = new ArrayList<>();
        JsonNode node = root.at(JsonPointer.compile(pointer));
        if (!node.isObject()) {
            return edges;
        }
        for (String keyword : List.of("$ref", "$dynamicRef")) {
            JsonNode ref = node.get(keyword);
            if (ref != null && ref.isString()) {
                String target = resolve(ref.stringValue());
                if (target != null) {
                    edges.add(target);
                }
            }
        }
        for (String keyword : IN_PLACE_LISTS) {
            JsonNode list = node.get(keyword);
            if (list != null && list.isArray()) {
                for (int i = 0; i < list.size(); i++) {
                    edges.add(pointer + "/" + keyword + "/" + i);
                }
            }
        }
        for (String keyword : IN_PLACE_SCHEMAS) {
            if (node.has(keyword)) {
                edges.add(pointer + "/" + keyword);
            }
        }
        JsonNode dependent = node.get("dependentSchemas");
        if (dependent != null && dependent.isObject()) {
            for (String name : dependent.propertyNames()) {
                edges.add(pointer + "/dependentSchemas/" + escape(name));
            }
        }
        return edges;
    }

    /** The pointer a local reference leads to, or null when it leads nowhere known. */
    private String resolve(String ref) {
        if (!ref.startsWith("#")) {
            return null;
        }
        String fragment = java.net.URLDecoder.decode(ref.substring(1).replace("+", "%2B"),
                java.nio.charset.StandardCharsets.UTF_8);
        if (fragment.isEmpty() || fragment.startsWith("/")) {
            try {
                return root.at(JsonPointer.compile(fragment)).isMissingNode() ? null : fragment;
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        JsonNode anchored = anchors.get(fragment);
        return anchored == null ? null : pointerOf(anchored);
    }

    private final Map<JsonNode, String> pointers = new java.util.IdentityHashMap<>();

    private String pointerOf(JsonNode node) {
        return pointers.get(node);
    }

    private void collectAnchors(JsonNode root) {
        List<JsonNode> nodes = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        nodes.add(root);
        paths.add("");
        while (!nodes.isEmpty()) {
            JsonNode node = nodes.remove(nodes.size() - 1);
            String path = paths.remove(paths.size() - 1);
            if (node.isObject()) {
                pointers.put(node, path);
                for (String keyword : List.of("$anchor", "$dynamicAnchor")) {
                    JsonNode anchor = node.get(keyword);
                    if (anchor != null && anchor.isString()) {
                        anchors.putIfAbsent(anchor.stringValue(), node);
                    }
                }
                for (var field : node.properties()) {
                    nodes.add(field.getValue());
                    paths.add(path + "/" + escape(field.getKey()));
                }
            } else if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    nodes.add(node.get(i));
                    paths.add(path + "/" + i);
                }
            }
        }
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
