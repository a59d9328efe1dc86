package io.tributary.analytics.engine;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.HllUnion;
import org.apache.datasketches.kll.KllDoublesSketch;

import tools.jackson.databind.JsonNode;

/**
 * The accumulators behind {@link AggregateFunction}. Numeric functions read numbers and numeric
 * strings and skip everything else (as SQL skips nulls); the sketches stay on the heap.
 */
final class Accumulators {

    static final int HLL_LG_K = 12;
    static final int KLL_K = 200;

    private Accumulators() {
    }

    /** The value as a double, or NaN when it is not a number. */
    static double number(JsonNode value) {
        if (value == null) {
            return Double.NaN;
        }
        if (value.isNumber()) {
            return value.asDouble();
        }
        if (value.isString()) {
            try {
                return Double.parseDouble(value.stringValue());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    /** Records ({@code count} without a field) or non-null values. */
    static final class Count implements Accumulator {
        long count;

        @Override
        public void add(JsonNode value) {
            if (value == null || !value.isNull()) {
                count++;
            }
        }

        @Override
        public void merge(Accumulator other) {
            count += ((Count) other).count;
        }

        @Override
        public Object result() {
            return count;
        }

        @Override
        public void write(DataOutput out) throws IOException {
            out.writeLong(count);
        }

        @Override
        public void read(DataInput in) throws IOException {
            count = in.readLong();
        }
    }

    static class Sum implements Accumulator {
        double sum;
        long n;

        @Override
        public void add(JsonNode value) {
            double x = number(value);
            if (!Double.isNaN(x)) {
                sum += x;
                n++;
            }
        }

        @Override
        public void merge(Accumulator other) {
            Sum o = (Sum) other;
            sum += o.sum;
            n += o.n;
        }

        @Override
        public Object result() {
            return n == 0 ? null : sum;
        }

        @Override
        public void write(DataOutput out) throws IOException {
            out.writeDouble(sum);
            out.writeLong(n);
        }

        @Override
        public void read(DataInput in) throws IOException {
            sum = in.readDouble();
            n = in.readLong();
        }
    }

    static final class Avg extends Sum {
        @Override
        public Object result() {
            return n == 0 ? null : sum / n;
        }
    }

    static final class Extreme implements Accumulator {
        private final boolean min;
        double value;
        boolean seen;

        Extreme(boolean min) {
            this.min = min;
        }

        @Override
        public void add(JsonNode node) {
            double x = number(node);
            if (!Double.isNaN(x)) {
                accept(x);
            }
        }

        private void accept(double x) {
            if (!seen || (min ? x < value : x > value)) {
                value = x;
                seen = true;
            }
        }

        @Override
        public void merge(Accumulator other) {
            Extreme o = (Extreme) other;
            if (o.seen) {
                accept(o.value);
            }
        }

        @Override
        public Object result() {
            return seen ? value : null;
        }

        @Override
        public void write(DataOutput out) throws IOException {
            out.writeBoolean(seen);
            out.writeDouble(value);
        }

        @Override
        public void read(DataInput in) throws IOException {
            seen = in.readBoolean();
            value = in.readDouble();
        }
    }

    /** Distinct values by their text (a number and the same digits as a string count once). */
    static final class Distinct implements Accumulator {
        HllSketch sketch = new HllSketch(HLL_LG_K);

        @Override
        public void add(JsonNode value) {
            if (value == null || value.isNull()) {
                return;
            }
            sketch.update(value.isValueNode() ? value.asString() : value.toString());
        }

        @Override
        public void merge(Accumulator other) {
            HllUnion union = new HllUnion(HLL_LG_K);
            union.update(sketch);
            union.update(((Distinct) other).sketch);
            sketch = union.getResult(TgtHllType.HLL_4);
        }

        @Override
        public Object result() {
            return Math.round(sketch.getEstimate());
        }

        @Override
        public void write(DataOutput out) throws IOException {
            byte[] bytes = sketch.toCompactByteArray();
            out.writeInt(bytes.length);
            out.write(bytes);
        }

        @Override
        public void read(DataInput in) throws IOException {
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            sketch = HllSketch.heapify(bytes);
        }
    }

    /** Result: {@code {"p50": 12.0, "p99": 97.5}} (rank 0.5 → {@code p50}, 0.999 → {@code p99.9}). */
    static final class Percentiles implements Accumulator {
        private final List<Double> ranks;
        KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance(KLL_K);

        Percentiles(List<Double> ranks) {
            this.ranks = ranks;
        }

        @Override
        public void add(JsonNode value) {
            double x = number(value);
            if (!Double.isNaN(x)) {
                sketch.update(x);
            }
        }

        @Override
        public void merge(Accumulator other) {
            sketch.merge(((Percentiles) other).sketch);
        }

        @Override
        public Object result() {
            if (sketch.isEmpty()) {
                return null;
            }
            Map<String, Double> values = new LinkedHashMap<>();
            for (double rank : ranks) {
                values.put(AggregateSpec.label(rank), sketch.getQuantile(rank));
            }
            return values;
        }

        @Override
        public void write(DataOutput out) throws IOException {
            byte[] bytes = sketch.toByteArray();
            out.writeInt(bytes.length);
            out.write(bytes);
        }

        @Override
        public void read(DataInput in) throws IOException {
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            sketch = KllDoublesSketch.heapify(MemorySegment.ofArray(bytes));
        }
    }
}
