package io.tributary.clean.pipeline;

import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

/** A stored pipeline as the API shows it. */
public record PipelineView(String name, String source, String sink, String deadLetter,
                           @ArraySchema(schema = @Schema(type = "object")) List<JsonNode> steps,
                           int parallelism,
                           @Schema(description = "RUNNING or PAUSED, as requested") PipelineState state,
                           @Schema(description = "Goes up with every change") long revision,
                           Instant createdAt, Instant updatedAt) {
}
