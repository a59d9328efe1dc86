package io.tributary.clean.process;

import java.util.ArrayDeque;
import java.util.Deque;

import tools.jackson.databind.JsonNode;

/** Nesting depth of a JSON tree, measured without recursion (so a very deep tree cannot overflow the stack). */
public final class JsonDepth {

    private JsonDepth() {
    }

    /** True when {@code node} nests objects/arrays more than {@code max} levels deep ({@code {}} is 1 level). */
    public static boolean exceeds(JsonNode node, int max) {
        if (node == null || !node.isContainer()) {
            return false;
        }
        Deque<JsonNode> nodes = new ArrayDeque<>();
        Deque<Integer> depths = new ArrayDeque<>();
        nodes.push(node);
        depths.push(1);
        while (!nodes.isEmpty()) {
            JsonNode current = nodes.pop();
            int depth = depths.pop();
            if (depth > max) {
                return true;
            }
            for (JsonNode child : current.values()) {
                if (child.isContainer()) {
                    nodes.push(child);
                    depths.push(depth + 1);
                }
            }
        }
        return false;
    }
}
