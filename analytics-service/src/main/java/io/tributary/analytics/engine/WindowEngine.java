package io.tributary.analytics.engine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.NullNode;

/**
 * Event-time windowed aggregation over micro-batches, with Spark's watermark semantics:
 * <ul>
 *   <li>a batch judges lateness by the watermark as it was when the batch started (not in complete
 *       mode, which keeps every window and so drops nothing); a record is
 *       dropped from each of its windows whose end is at or before that watermark, and counted
 *       late when it was dropped from all of them (for sessions: when {@code t + gap <= watermark});</li>
 *   <li>after the batch the watermark becomes {@code max(old, largest event time seen - delay)};
 *       it never moves back;</li>
 *   <li>then rows are emitted by {@link OutputMode} and windows closed by the new watermark leave
 *       the state (not in complete mode).</li>
 * </ul>
 * The whole state serialises to bytes ({@link #snapshot()}) so a runner can commit it with the
 * batch's results and offsets, and {@link #restore} rebuilds an identical engine. Not thread-safe:
 * one engine belongs to one job run.
 */
public final class WindowEngine {

    private static final int FORMAT = 1;
    /**
     * The longest group key (the group's values as a JSON array) a result row can hold; a record
     * whose group-by values are longer is counted invalid (its row could not be stored).
     */
    public static final int MAX_GROUP_KEY_CHARS = 2_000;

    private final EngineSpec spec;
    private final EventTimeBounds bounds;
    /** Slot 0: event time; 1..groupBy: the group; then one slot per aggregate field. */
    private final Projection projection;
    private final int groups;
    /** The slot of each aggregate's field, -1 for none. */
    private final int[] fieldSlots;
    private final Map<StateKey, Accumulator[]> state = new HashMap<>();
    /** Session windows per group by start; sessions of one group never overlap. */
    private final Map<List<String>, NavigableMap<Long, Window>> sessions = new HashMap<>();
    private long watermark = Long.MIN_VALUE;
    private long maxEventTime = Long.MIN_VALUE;

    public WindowEngine(EngineSpec spec) {
        this(spec, EventTimeBounds.NONE);
    }

    /** An engine that counts event times outside {@code bounds} as invalid. */
    public WindowEngine(EngineSpec spec, EventTimeBounds bounds) {
        this.spec = spec;
        this.bounds = bounds;
        List<String> pointers = new ArrayList<>();
        pointers.add(spec.eventTime());
        pointers.addAll(spec.groupBy());
        this.groups = spec.groupBy().size();
        this.fieldSlots = new int[spec.aggregates().size()];
        for (int i = 0; i < fieldSlots.length; i++) {
            String field = spec.aggregates().get(i).field();
            fieldSlots[i] = field == null || field.isEmpty() ? -1 : pointers.size();
            if (fieldSlots[i] >= 0) {
                pointers.add(field);
            }
        }
        this.projection = new Projection(pointers);
    }

    /** The fields this engine reads; {@link #processProjected} takes records in this shape. */
    public Projection projection() {
        return projection;
    }

    public long watermark() {
        return watermark;
    }

    public int stateRows() {
        return state.size();
    }

    /** Runs one micro-batch over the given record values (filter first, then the fields are read). */
    public BatchResult process(Collection<JsonNode> records) {
        List<JsonNode[]> rows = new ArrayList<>(records.size());
        long filtered = 0;
        for (JsonNode record : records) {
            if (spec.filter() != null && !passes(record)) {
                filtered++;
            } else {
                rows.add(projection.of(record));
            }
        }
        return run(rows, records.size(), filtered);
    }

    /**
     * Runs one micro-batch over records already read with {@link #projection()}, as a job without
     * a filter does (a filter needs whole records: use {@link #process}).
     */
    public BatchResult processProjected(List<JsonNode[]> rows) {
        if (spec.filter() != null) {
            throw new IllegalStateException("a job with a filter needs whole records");
        }
        return run(rows, rows.size(), 0);
    }

    private BatchResult run(List<JsonNode[]> rows, int inputRows, long filtered) {
        // Complete mode keeps every window, so (as in Spark) the watermark drops nothing there.
        long batchWatermark = spec.outputMode() == OutputMode.COMPLETE ? Long.MIN_VALUE : watermark;
        Set<StateKey> dirty = new LinkedHashSet<>();
        List<StateKey> removed = new ArrayList<>();
        long invalid = 0;
        long late = 0;
        long now = bounds.clock().millis();
        long lowest = bounds.lowest(now);
        long highest = bounds.highest(now);
        for (JsonNode[] record : rows) {
            long ts = EventTime.of(record[0]);
            if (ts == Long.MIN_VALUE || ts < lowest || ts > highest) { // unreadable, or absurd: never a watermark
                invalid++;
                continue;
            }
            List<Window> windows;
            long sessionEnd = 0;
            try {
                if (spec.window() instanceof WindowSpec.Session session) {
                    windows = List.of();
                    sessionEnd = Math.addExact(ts, session.gapMs());
                } else {
                    windows = spec.window().assign(ts);
                }
            } catch (ArithmeticException e) { // a window of this time would not fit in a long
                invalid++;
                continue;
            }
            List<String> group = groupOf(record);
            if (group == null) { // group values too long to be stored as a result row's key
                invalid++;
                continue;
            }
            maxEventTime = Math.max(maxEventTime, ts);
            if (spec.window() instanceof WindowSpec.Session session) {
                if (sessionEnd <= batchWatermark) {
                    late++;
                } else {
                    addToSession(group, ts, session.gapMs(), record, dirty, removed);
                }
                continue;
            }
            boolean accepted = false;
            for (Window window : windows) {
                if (window.closedBy(batchWatermark)) {
                    continue;
                }
                accepted = true;
                StateKey key = StateKey.owning(group, window);
                add(state.computeIfAbsent(key, k -> newAccumulators()), record);
                dirty.add(key);
            }
            if (!accepted) {
                late++;
            }
        }
        if (maxEventTime != Long.MIN_VALUE) {
            watermark = Math.max(watermark, EventTimeBounds.saturatedSubtract(maxEventTime, spec.watermarkDelayMs()));
        }
        List<ResultRow> emitted = emit(dirty);
        return new BatchResult(emitted, removed, inputRows, filtered, invalid, late, watermark, state.size());
    }

    private List<ResultRow> emit(Set<StateKey> dirty) {
        List<ResultRow> rows = new ArrayList<>();
        switch (spec.outputMode()) {
            case APPEND -> {
                List<StateKey> closed = state.keySet().stream().filter(k -> k.window().closedBy(watermark))
                        .sorted().toList();
                for (StateKey key : closed) {
                    rows.add(row(key, state.get(key)));
                    evict(key);
                }
            }
            case UPDATE -> {
                dirty.stream().filter(state::containsKey).sorted().forEach(key -> rows.add(row(key, state.get(key))));
                state.keySet().stream().filter(k -> k.window().closedBy(watermark)).toList().forEach(this::evict);
            }
            case COMPLETE -> state.keySet().stream().sorted().forEach(key -> rows.add(row(key, state.get(key))));
        }
        return rows;
    }

    private void evict(StateKey key) {
        state.remove(key);
        NavigableMap<Long, Window> groupSessions = sessions.get(key.group());
        if (groupSessions != null) {
            groupSessions.remove(key.window().start());
            if (groupSessions.isEmpty()) {
                sessions.remove(key.group());
            }
        }
    }

    private void addToSession(List<String> group, long ts, long gap, JsonNode[] record, Set<StateKey> dirty,
                              List<StateKey> removed) {
        NavigableMap<Long, Window> groupSessions = sessions.computeIfAbsent(group, g -> new TreeMap<>());
        long start = ts;
        long end = ts + gap;
        List<Window> overlapping = new ArrayList<>();
        // Sessions do not overlap, so ordered by start they are ordered by end too.
        for (Window candidate : groupSessions.headMap(end, false).descendingMap().values()) {
            if (candidate.end() <= ts) {
                break;
            }
            overlapping.add(candidate);
        }
        Accumulator[] merged = newAccumulators();
        for (Window old : overlapping) {
            start = Math.min(start, old.start());
            end = Math.max(end, old.end());
        }
        Window window = new Window(start, end);
        StateKey mergedKey = new StateKey(group, window);
        for (Window old : overlapping) {
            StateKey oldKey = new StateKey(group, old);
            Accumulator[] accumulators = state.remove(oldKey);
            groupSessions.remove(old.start());
            for (int i = 0; i < merged.length; i++) {
                merged[i].merge(accumulators[i]);
            }
            if (!oldKey.equals(mergedKey)) {
                removed.add(oldKey);
                dirty.remove(oldKey);
            }
        }
        add(merged, record);
        state.put(mergedKey, merged);
        groupSessions.put(start, window);
        dirty.add(mergedKey);
    }

    private boolean passes(JsonNode record) {
        try {
            return spec.filter().test(record, Map.of());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The group's values; null when their key (a JSON array) would be longer than {@link #MAX_GROUP_KEY_CHARS}. */
    private List<String> groupOf(JsonNode[] record) {
        List<String> group = new ArrayList<>(groups);
        long keyChars = 2;
        for (int slot = 1; slot <= groups; slot++) {
            JsonNode node = record[slot];
            String value = node == null || node.isMissingNode() || node.isNull() ? null
                    : node.isValueNode() ? node.asString() : node.toString();
            group.add(value);
            keyChars += jsonChars(value) + 1;
            if (keyChars > MAX_GROUP_KEY_CHARS) {
                return null;
            }
        }
        return group;
    }

    /** The characters of a value as a JSON string (at most: control characters may take 6). */
    private static long jsonChars(String value) {
        if (value == null) {
            return 4;
        }
        long chars = value.length() + 2;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20) {
                chars += 5;
            } else if (c == '"' || c == '\\') {
                chars++;
            }
        }
        return chars;
    }

    private Accumulator[] newAccumulators() {
        Accumulator[] accumulators = new Accumulator[spec.aggregates().size()];
        for (int i = 0; i < accumulators.length; i++) {
            accumulators[i] = spec.aggregates().get(i).newAccumulator();
        }
        return accumulators;
    }

    private void add(Accumulator[] accumulators, JsonNode[] record) {
        for (int i = 0; i < accumulators.length; i++) {
            int slot = fieldSlots[i];
            if (slot < 0) {
                accumulators[i].add(null);
            } else {
                JsonNode value = record[slot];
                // A missing field is a null value: skipped by every function, not counted by count(field).
                accumulators[i].add(value == null || value.isMissingNode() ? NullNode.getInstance() : value);
            }
        }
    }

    private ResultRow row(StateKey key, Accumulator[] accumulators) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < accumulators.length; i++) {
            values.put(spec.aggregates().get(i).name(), accumulators[i].result());
        }
        return new ResultRow(key, values);
    }

    /** The rows in state now (for tests and the complete view), oldest window first. */
    public List<ResultRow> currentRows() {
        return state.keySet().stream().sorted().map(k -> row(k, state.get(k))).toList();
    }

    /** Serialises watermark, largest event time and every window's accumulators. */
    public byte[] snapshot() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(FORMAT);
            out.writeLong(watermark);
            out.writeLong(maxEventTime);
            out.writeInt(state.size());
            for (Map.Entry<StateKey, Accumulator[]> entry : state.entrySet()) {
                StateKey key = entry.getKey();
                out.writeInt(key.group().size());
                for (String value : key.group()) {
                    out.writeBoolean(value != null);
                    if (value != null) {
                        out.writeUTF(value);
                    }
                }
                out.writeLong(key.window().start());
                out.writeLong(key.window().end());
                for (Accumulator accumulator : entry.getValue()) {
                    accumulator.write(out);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** An engine for {@code spec} in the state of a {@link #snapshot()}; null or empty bytes: a fresh one. */
    public static WindowEngine restore(EngineSpec spec, byte[] snapshot) {
        return restore(spec, EventTimeBounds.NONE, snapshot);
    }

    /** Like {@link #restore(EngineSpec, byte[])}, with event-time bounds. */
    public static WindowEngine restore(EngineSpec spec, EventTimeBounds bounds, byte[] snapshot) {
        WindowEngine engine = new WindowEngine(spec, bounds);
        if (snapshot == null || snapshot.length == 0) {
            return engine;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IllegalStateException("unknown state format " + format);
            }
            engine.watermark = in.readLong();
            engine.maxEventTime = in.readLong();
            int rows = in.readInt();
            for (int r = 0; r < rows; r++) {
                int size = in.readInt();
                List<String> group = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    group.add(in.readBoolean() ? in.readUTF() : null);
                }
                Window window = new Window(in.readLong(), in.readLong());
                Accumulator[] accumulators = engine.newAccumulators();
                for (Accumulator accumulator : accumulators) {
                    accumulator.read(in);
                }
                StateKey key = new StateKey(group, window);
                engine.state.put(key, accumulators);
                if (spec.window() instanceof WindowSpec.Session) {
                    engine.sessions.computeIfAbsent(group, g -> new TreeMap<>()).put(window.start(), window);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return engine;
    }
}
