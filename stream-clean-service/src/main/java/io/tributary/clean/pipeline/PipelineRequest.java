package io.tributary.clean.pipeline;

import java.util.List;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.JsonNode;

/** A pipeline definition as sent to create or replace one. */
@Schema(description = "A cleaning pipeline: records of `source` go through `steps`; cleaned records go to `sink`, "
        + "records failing a step to `deadLetter`")
public record PipelineRequest(
        @Schema(example = "orders") @NotBlank @Pattern(regexp = NAME, message = NAME_MESSAGE) String name,
        @Schema(example = "raw.orders") @NotBlank @Pattern(regexp = TOPIC, message = TOPIC_MESSAGE) String source,
        @Schema(example = "clean.orders") @NotBlank @Pattern(regexp = TOPIC, message = TOPIC_MESSAGE) String sink,
        @Schema(example = "dlq.orders") @NotBlank @Pattern(regexp = TOPIC, message = TOPIC_MESSAGE) String deadLetter,
        @ArraySchema(arraySchema = @Schema(description = "Ordered steps; each an object with a `type` (validate, "
                + "filter, drop, rename, insert, mask, cast, timestamp, flatten) and its options"),
                schema = @Schema(type = "object", example = "{\"type\":\"cast\",\"field\":\"/amount\",\"to\":\"double\"}"))
        @NotNull @Size(max = 100) List<JsonNode> steps,
        @Schema(description = "Workers (group members) per service instance; default 1", example = "2")
        @Min(1) @Max(32) Integer parallelism) {

    static final String NAME = "[a-zA-Z0-9._-]{1,100}";
    static final String NAME_MESSAGE = "must be 1-100 characters of a-z, A-Z, 0-9, '.', '_', '-'";
    static final String TOPIC = "[a-zA-Z0-9._-]{1,249}";
    static final String TOPIC_MESSAGE = "must be a topic name: 1-249 characters of a-z, A-Z, 0-9, '.', '_', '-'";

    int parallelismOrDefault() {
        return parallelism == null ? 1 : parallelism;
    }
}
