package io.tributary.clean.step.enrich;

import java.util.Optional;

import tools.jackson.databind.JsonNode;

/** Read access to reference tables for {@link EnrichStep}. Implementations are thread-safe. */
public interface ReferenceLookup {

    /** A lookup that knows no tables. */
    ReferenceLookup NONE = new ReferenceLookup() {
        @Override
        public boolean exists(String table) {
            return false;
        }

        @Override
        public Optional<JsonNode> find(String table, String key) {
            return Optional.empty();
        }
    };

    boolean exists(String table);

    /** The row stored under the key; empty when the table or the row does not exist. */
    Optional<JsonNode> find(String table, String key);
}
