package io.tributary.clean.dedupe;

import java.util.Map;

import io.tributary.clean.step.dedupe.SeenKeys;

/**
 * What one poll changed in one partition's dedupe state.
 *
 * @param claim      the owner's claim
 * @param nextOffset the offset after the last record of the poll
 * @param changes    per state name, with the state's newest timestamp
 */
public record DedupeSave(DedupeClaim claim, long nextOffset, Map<String, StateChanges> changes) {

    public record StateChanges(SeenKeys.Changes changes, long newestTimestamp) {
    }
}
