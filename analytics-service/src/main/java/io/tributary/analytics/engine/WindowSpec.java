package io.tributary.analytics.engine;

import java.util.List;

/**
 * How records are placed in event-time windows. Tumbling and sliding windows are aligned to the
 * epoch (as in Spark, without an offset); session windows are built per group key by
 * {@link WindowEngine} because they depend on the other records.
 */
public sealed interface WindowSpec {

    /** Every window that covers {@code eventTime}, oldest first; empty for session windows. */
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
            long start = Math.floorDiv(eventTime, sizeMs) * sizeMs;
            return List.of(new Window(start, start + sizeMs));
        }
    }

    /** Windows of {@code sizeMs} starting every {@code slideMs}; a record is in every one that covers it. */
    record Sliding(long sizeMs, long slideMs) implements WindowSpec {
        public Sliding {
            if (sizeMs <= 0 || slideMs <= 0 || slideMs > sizeMs) {
                throw new IllegalArgumentException("need 0 < slide <= size");
            }
        }

        @Override
        public List<Window> assign(long eventTime) {
            long lastStart = Math.floorDiv(eventTime, slideMs) * slideMs;
            long firstStart = lastStart;
            while (firstStart - slideMs > eventTime - sizeMs) {
                firstStart -= slideMs;
            }
            java.util.ArrayList<Window> windows = new java.util.ArrayList<>();
            for (long start = firstStart; start <= lastStart; start += slideMs) {
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
