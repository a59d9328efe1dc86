package io.tributary.analytics.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A row of the result table: the values of the group-by fields (null where missing) and a window.
 * Immutable; its hash is computed once, as every record of a batch looks its row up by it.
 */
public final class StateKey implements Comparable<StateKey> {

    private final List<String> group;
    private final Window window;
    private final int hash;

    public StateKey(List<String> group, Window window) {
        this(window, Collections.unmodifiableList(new ArrayList<>(group)));
    }

    private StateKey(Window window, List<String> unmodifiableGroup) {
        this.group = unmodifiableGroup;
        this.window = window;
        this.hash = 31 * unmodifiableGroup.hashCode() + window.hashCode();
    }

    /** A key over a group list nobody else holds or changes (no defensive copy). */
    static StateKey owning(List<String> freshGroup, Window window) {
        return new StateKey(window, Collections.unmodifiableList(freshGroup));
    }

    public List<String> group() {
        return group;
    }

    public Window window() {
        return window;
    }

    @Override
    public boolean equals(Object other) {
        return this == other || other instanceof StateKey key && hash == key.hash && window.equals(key.window)
                && group.equals(key.group);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(StateKey other) {
        int byWindow = window.compareTo(other.window);
        return byWindow != 0 ? byWindow : String.valueOf(group).compareTo(String.valueOf(other.group));
    }

    @Override
    public String toString() {
        return "StateKey[group=" + group + ", window=" + window + "]";
    }
}
