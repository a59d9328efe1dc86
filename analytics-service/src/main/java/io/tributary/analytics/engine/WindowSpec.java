package io.tributary.analytics.engine;

import java.util.List;

/**
 * How records are placed in event-time windows. Tumbling and sliding windows are aligned to the
 * epoch (as in Spark, without an offset); session windows are built per group key by
 * {@link WindowEngine} because they depend on the other records.
 */
public sealed interface WindowSpec {

    /**
     * Every window that covers {@code eventTime}, oldest first; empty for session windows.
     *
     * @throws ArithmeticException when a window would reach past the range of a long (the record's
     *                             time is then unusable: the engine counts it invalid)
     */
    List<Window> assign(long eventTime);

    /** No window: one running aggregate per group. */
    record None() implements WindowSpec {
        @Override
        public List<Window> assign(long eventTime) {
            return List.of(Window.GLOBAL);
        }
    }

    record Tumbling(long sizeMs) implements WindowSpec {
        public Tumbling {
            if (sizeMs <= 0) {
                throw new IllegalArgumentException("window size must be positive");
            }
        }

        @Override
        public List<Window> assign(long eventTime) {
            long start = Math.multiplyExact(Math.floorDiv(eventTime, sizeMs), sizeMs);
            return List.of(new Window(start, Math.addExact(start, sizeMs)));
        }
    }

    /** Windows of {@code sizeMs} starting every {@code slideMs}; a record is in every one that covers it. */
    record Sliding(long sizeMs, long slideMs) implements WindowSpec {
        public Sliding {
            if (sizeMs <= 0 || slideMs <= 0 || slideMs > sizeMs) {
                throw new IllegalArgumentException("need 0 < slide <= size");
            }
        }

        /** How many windows one record is in at most ({@code ceil(size / slide)}). */
        public long windowsPerEvent() {
            return (sizeMs - 1) / slideMs + 1;
        }

        @Override
        public List<Window> assign(long eventTime) {
            // The windows starting at a multiple of the slide in (eventTime - size, eventTime].
            long lastStart = Math.multiplyExact(Math.floorDiv(eventTime, slideMs), slideMs);
            long firstStart = Math.multiplyExact(Math.floorDiv(Math.subtractExact(eventTime, sizeMs), slideMs) + 1,
                    slideMs);
            long count = (lastStart - firstStart) / slideMs + 1;
            Math.addExact(lastStart, sizeMs); // the last window's end must be a long too
            java.util.ArrayList<Window> windows = new java.util.ArrayList<>((int) Math.min(count, 1024));
            for (long i = 0, start = firstStart; i < count; i++, start += slideMs) {
                windows.add(new Window(start, start + sizeMs));
            }
            return windows;
        }
    }

    /**
     * A session per group: a record opens {@code [t, t + gap)}; overlapping sessions merge, so a
     * session ends {@code gap} after its last record.
     */
    record Session(long gapMs) implements WindowSpec {
        public Session {
            if (gapMs <= 0) {
                throw new IllegalArgumentException("session gap must be positive");
            }
        }

        @Override
        public List<Window> assign(long eventTime) {
            return List.of();
        }
    }
}
