package io.tributary.clean.process;

import java.util.Map;

import tools.jackson.databind.node.ObjectNode;

/** What the steps made of one record. */
public sealed interface Outcome {

    /** Index of the step that ended the record's way ({@link #PARSE_STEP} before any step), or -1 for output. */
    int stepIndex();

    int PARSE_STEP = -1;

    /** The cleaned record, for the sink topic. */
    record Output(String key, ObjectNode value, Map<String, String> headers) implements Outcome {
        @Override
        public int stepIndex() {
            return -1;
        }
    }

    /** A filter step said no. */
    record Filtered(int stepIndex, String step) implements Outcome {
    }

    /** A dedupe step saw the record's key earlier within its window. */
    record Deduplicated(int stepIndex, String step) implements Outcome {
    }

    /**
     * The record failed a step (or could not be read as a JSON object: {@code step} "parse"), for
     * the dead-letter topic.
     */
    record DeadLettered(int stepIndex, String step, String reason) implements Outcome {
    }
}
