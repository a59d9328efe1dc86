package io.tributary.clean.step.dedupe;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The keys one dedupe step remembers for one source partition, in first-seen order (oldest
 * first), with the newest record timestamp the step has seen there.
 *
 * <p><b>Decision.</b> A record is a duplicate when its key is remembered from a smaller source
 * offset and the two record timestamps are at most {@code window} apart. Otherwise it passes and
 * becomes the key's first occurrence (moving to the young end). A remembered first occurrence
 * at the record's own offset (or later) means the record is being seen again: it passes and the
 * entry stays.
 *
 * <p><b>Bounds.</b> After each record, keys are forgotten from the old end while their first
 * timestamp is more than {@code window} before the newest timestamp seen (so a key whose
 * timestamp is out of order may stay a little longer), and while more than {@code maxKeys} are
 * remembered. The decisions therefore depend only on the records seen so far, in offset order:
 * a state restored exactly (same entries, same order, same newest timestamp) decides a record
 * exactly as before.
 *
 * <p><b>Changes.</b> What changed since the last {@link #drainChanges()} — entries to store and
 * stored entries to delete — is tracked for the store. Not thread-safe: one worker thread.
 */
public final class SeenKeys {

    private final LinkedHashMap<KeyHash, Entry> entries = new LinkedHashMap<>();
    private final Set<KeyHash> deletions = new LinkedHashSet<>();
    private final List<Entry> additions = new ArrayList<>();
    private long newestTimestamp;
    private boolean newestChanged;

    public SeenKeys() {
        this(List.of(), Long.MIN_VALUE);
    }

    /** A state restored from the store: entries in first-seen (offset) order, all already stored. */
    public SeenKeys(List<SeenKey> stored, long newestTimestamp) {
        for (SeenKey seen : stored) {
            entries.put(seen.key(), new Entry(seen, true));
        }
        this.newestTimestamp = newestTimestamp;
    }

    /**
     * Decides one record and updates the state.
     *
     * @return true when the record is a duplicate to drop
     */
    public boolean duplicate(KeyHash key, long offset, long timestamp, long windowMillis, int maxKeys) {
        if (timestamp > newestTimestamp) {
            newestTimestamp = timestamp;
            newestChanged = true;
        }
        Entry known = entries.get(key);
        boolean duplicate;
        if (known != null && known.seen.firstOffset() >= offset) {
            duplicate = false;
        } else if (known != null && Math.abs(timestamp - known.seen.firstTimestamp()) <= windowMillis) {
            duplicate = true;
        } else {
            if (known != null) {
                forget(key);
            }
            Entry first = new Entry(new SeenKey(key, offset, timestamp), false);
            entries.put(key, first);
            additions.add(first);
            duplicate = false;
        }
        evict(windowMillis, maxKeys);
        return duplicate;
    }

    private void evict(long windowMillis, int maxKeys) {
        Iterator<Entry> oldest = entries.values().iterator();
        while (oldest.hasNext()) {
            Entry entry = oldest.next();
            boolean expired = entry.seen.firstTimestamp() < newestTimestamp - windowMillis;
            if (!expired && entries.size() <= maxKeys) {
                return;
            }
            oldest.remove();
            if (entry.stored) {
                deletions.add(entry.seen.key());
            }
        }
    }

    private void forget(KeyHash key) {
        Entry removed = entries.remove(key);
        if (removed != null && removed.stored) {
            deletions.add(key);
        }
    }

    public int size() {
        return entries.size();
    }

    public long newestTimestamp() {
        return newestTimestamp;
    }

    /** The remembered keys, oldest first. */
    public List<SeenKey> snapshot() {
        return entries.values().stream().map(entry -> entry.seen).toList();
    }

    /**
     * What to write so the store holds this state: first the stored keys to delete, then the
     * entries to insert. Marks the inserted entries as stored; call again only after the write
     * succeeded (on failure the whole state is thrown away and reloaded).
     */
    public Changes drainChanges() {
        List<SeenKey> inserts = new ArrayList<>();
        for (Entry entry : additions) {
            if (entries.get(entry.seen.key()) == entry) {
                inserts.add(entry.seen);
                entry.stored = true;
            }
        }
        Changes changes = new Changes(List.copyOf(deletions), inserts, newestChanged);
        additions.clear();
        deletions.clear();
        newestChanged = false;
        return changes;
    }

    /**
     * @param deletes        keys whose stored rows must go (deleted before the inserts)
     * @param inserts        new first occurrences to store
     * @param newestChanged  whether the newest timestamp moved
     */
    public record Changes(List<KeyHash> deletes, List<SeenKey> inserts, boolean newestChanged) {
        public boolean isEmpty() {
            return deletes.isEmpty() && inserts.isEmpty() && !newestChanged;
        }
    }

    private static final class Entry {
        private final SeenKey seen;
        private boolean stored;

        private Entry(SeenKey seen, boolean stored) {
            this.seen = seen;
            this.stored = stored;
        }
    }
}
