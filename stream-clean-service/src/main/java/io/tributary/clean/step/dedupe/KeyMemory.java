package io.tributary.clean.step.dedupe;

import java.util.HashMap;
import java.util.Map;

/**
 * What the dedupe steps of a pipeline remember about one source partition: one
 * {@link SeenKeys} per dedupe state (named by what the step keys on, see
 * {@link DedupeStep#stateName()}). A worker keeps one per owned partition, loaded from the store
 * when it takes the partition over; a preview uses a fresh one per request. Not thread-safe.
 */
public final class KeyMemory {

    private final Map<String, SeenKeys> states;

    public KeyMemory() {
        this(Map.of());
    }

    public KeyMemory(Map<String, SeenKeys> restored) {
        this.states = new HashMap<>(restored);
    }

    public SeenKeys state(String name) {
        return states.computeIfAbsent(name, n -> new SeenKeys());
    }

    /** The states that exist so far, by name. */
    public Map<String, SeenKeys> states() {
        return Map.copyOf(states);
    }
}
