package io.tributary.ingest.produce;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/** Where each record of a produce landed, in the order of the request. */
@Schema(description = "Offsets of the produced records, in request order")
public record ProduceResponse(List<RecordOffset> offsets) {

    @Schema(description = "Where one record landed")
    public record RecordOffset(
            @Schema(example = "0") int partition,
            @Schema(example = "42") long offset,
            @Schema(description = "record timestamp, epoch milliseconds", example = "1764072000000") long timestamp) {
    }
}
