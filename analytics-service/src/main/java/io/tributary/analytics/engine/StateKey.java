package io.tributary.analytics.engine;

import java.util.List;

/** A row of the result table: the values of the group-by fields (null where missing) and a window. */
public record StateKey(List<String> group, Window window) implements Comparable<StateKey> {

    public StateKey {
        group = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(group));
    }

    @Override
    public int compareTo(StateKey other) {
        int byWindow = window.compareTo(other.window);
        return byWindow != 0 ? byWindow : String.valueOf(group).compareTo(String.valueOf(other.group));
    }
}
