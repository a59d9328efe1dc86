package io.tributary.clean.reference;

import java.time.Instant;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.JsonNode;

/** Bodies of the reference-table API. */
public final class ReferenceTableDtos {

    private ReferenceTableDtos() {
    }

    @Schema(description = "All rows of the table, by key; replaces what was there")
    public record TableRequest(@Schema(example = "{\"DE\":{\"name\":\"Germany\",\"eu\":true}}")
                               @NotNull @Size(max = 50_000) Map<String, JsonNode> rows) {
    }

    public record TableView(String name, long revision, int rowCount, Instant updatedAt,
                            @Schema(description = "Rows by key; only in single-table answers") Map<String, JsonNode> rows) {
    }
}
