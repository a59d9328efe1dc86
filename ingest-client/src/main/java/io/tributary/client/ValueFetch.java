package io.tributary.client;

import java.util.List;

/**
 * One partition fetch read with a {@link ValueReader}.
 *
 * @param values        what the reader made of each record's value, in offset order
 * @param offsets       each value's offset ({@code offsets[i]} belongs to {@code values.get(i)})
 * @param nextOffset    where to continue
 * @param highWatermark offsets below it are readable
 */
public record ValueFetch<T>(List<T> values, long[] offsets, long nextOffset, long highWatermark) {
}
