package io.tributary.client;

import tools.jackson.core.JsonParser;

/**
 * Turns one record value into what a consumer keeps, straight from the fetch answer's tokens (see
 * {@link IngestClient#fetchValuesAsync}), so a consumer that needs a few fields builds no tree.
 *
 * @param <T> what is kept per record
 */
@FunctionalInterface
public interface ValueReader<T> {

    /**
     * Reads one value. The parser stands on the value's first token ({@code VALUE_NULL} for a
     * tombstone); when this returns it must stand on the value's last token (for an object or
     * array its closing token: {@link JsonParser#skipChildren()} gets there).
     */
    T read(JsonParser value);
}
