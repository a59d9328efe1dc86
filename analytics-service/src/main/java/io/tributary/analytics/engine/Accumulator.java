package io.tributary.analytics.engine;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import tools.jackson.databind.JsonNode;

/** The running state of one aggregate in one window of one group. Not thread-safe. */
interface Accumulator {

    /** Adds the value at the aggregate's field; {@code null} when the field is missing. */
    void add(JsonNode value);

    /** Adds another accumulator of the same kind (session windows merging). */
    void merge(Accumulator other);

    /** The current value: a number, a map of percentiles, or null when nothing was added. */
    Object result();

    void write(DataOutput out) throws IOException;

    void read(DataInput in) throws IOException;
}
