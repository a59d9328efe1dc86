package io.tributary.clean.preview;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.JsonNode;

/** Bodies of {@code POST /api/v1/pipelines/preview}. */
final class PreviewDtos {

    private PreviewDtos() {
    }

    @Schema(description = "Steps to try and sample records to run them on; nothing is written")
    record PreviewRequest(@ArraySchema(schema = @Schema(type = "object")) @NotNull @Size(max = 100) List<JsonNode> steps,
                          @NotNull @Size(min = 1, max = 1000) List<@Valid @NotNull SampleRecord> records) {
    }

    @Schema(description = "A sample record as it would be read from the source topic")
    record SampleRecord(String key, @Schema(type = "object") JsonNode value, Map<String, String> headers,
                        @Schema(description = "epoch millis; default now") Long timestamp) {
    }

    record PreviewResponse(List<PreviewResult> results) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(description = "What the steps made of one sample: `output` with the cleaned value, `filtered` with the "
            + "filtering step, `deduplicated` with the dedupe step, or `dead-letter` with the step and the reason")
    record PreviewResult(int index, String outcome, String key, @Schema(type = "object") JsonNode value,
                         Map<String, String> headers, String step, String reason) {
    }
}
