package io.tributary.ingest.api;

import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * Schemas for the OpenAPI document only: produce bodies are parsed by a streaming parser and
 * fetch bodies written by {@link RecordsJson}, so these records describe the wire shapes for
 * readers of the API without being used at run time.
 */
final class RecordDocs {

    private RecordDocs() {
    }

    @Schema(name = "ProduceRequest", description = "Records to append; all or nothing")
    record ProduceRequestDoc(
            List<ProducedRecordDoc> records,
            @Schema(description = "all (default) or leader", example = "all") String acks,
            @Schema(description = "idempotent producer id from POST /api/v1/producers") Long producerId,
            @Schema(description = "with producerId") Short producerEpoch,
            @Schema(description = "with producerId: sequence of the first record; record i has baseSequence + i")
            Long baseSequence) {
    }

    @Schema(name = "ProducedRecord")
    record ProducedRecordDoc(
            @Schema(description = "routes the record with Kafka's murmur2 partitioner", example = "u42") String key,
            @Schema(description = "any JSON value; null is a tombstone on compacted topics",
                    example = "{\"country\":\"DE\",\"amount\":12.5}") Object value,
            @Schema(example = "{\"source\":\"web\"}") Map<String, String> headers,
            @Schema(description = "explicit partition; overrides the key") Integer partition,
            @Schema(description = "epoch milliseconds; defaults to arrival time") Long timestamp) {
    }

    @Schema(name = "FetchResponse")
    record FetchResponseDoc(
            List<FetchedRecordDoc> records,
            @Schema(description = "offset to ask for next", example = "1200") long nextOffset,
            @Schema(description = "offsets below it are readable", example = "1500") long highWatermark) {
    }

    @Schema(name = "FetchedRecord")
    record FetchedRecordDoc(
            @Schema(description = "present in group polls") String topic,
            int partition,
            long offset,
            long timestamp,
            String key,
            @Schema(description = "the JSON value as produced; on a topic with value.format=binary (values written by "
                    + "Kafka clients may be any bytes) the value's bytes as a base64 string") Object value,
            @Schema(description = "present, as \"base64\", only when the value is a base64 string of a binary topic",
                    nullable = true) String valueEncoding,
            Map<String, String> headers) {
    }

    @Schema(name = "GroupPollResponse")
    record GroupPollDoc(
            int generation,
            List<Map<String, Object>> assignments,
            List<FetchedRecordDoc> records) {
    }
}
