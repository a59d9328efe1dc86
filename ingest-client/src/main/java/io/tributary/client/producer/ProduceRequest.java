package io.tributary.client.producer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.tributary.client.IngestException;
import io.tributary.client.ProducerIdentity;
import io.tributary.client.TopicPartition;
import io.tributary.client.internal.HttpTransport;
import io.tributary.client.internal.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.util.RawValue;

/**
 * One produce call, fixed when its batch is first sent: every retry resends exactly this body,
 * so the service recognises it as the same batch.
 *
 * @param deduplicated every node recognises a second copy, so the request may be sent again, to any
 *                     node, after any failure: a producer id and sequences, or an {@code Idempotency-Key}
 *                     (on a cluster every replica of the partition remembers it for the key window,
 *                     {@code docs/replication.md}; a single node remembers it while it runs)
 */
record ProduceRequest(TopicPartition partition, int recordCount, String path, String body,
                      Map<String, String> headers, boolean deduplicated) {

    /**
     * Encodes a batch. Values are embedded as raw JSON; each record names its partition.
     *
     * @param identity       null when not idempotent
     * @param baseSequence   sequence of the first record; ignored without identity
     * @param idempotencyKey sent as {@code Idempotency-Key} when not null
     */
    static ProduceRequest encode(TopicPartition partition, List<ProducerRecord> records, Acks acks,
                                 ProducerIdentity identity, long baseSequence, String idempotencyKey) {
        return encode(partition, records, null, acks, identity, baseSequence, idempotencyKey);
    }

    /**
     * Encodes a batch whose records carry their own {@code sequence} (instead of a base
     * sequence); {@code sequences[i]} belongs to record {@code i} and they must increase.
     */
    static ProduceRequest encodeSequenced(TopicPartition partition, List<SequencedRecord> records, Acks acks,
                                          ProducerIdentity identity) {
        long[] sequences = new long[records.size()];
        for (int i = 0; i < sequences.length; i++) {
            sequences[i] = records.get(i).sequence();
            if (i > 0 && sequences[i] <= sequences[i - 1]) {
                throw new IllegalArgumentException("sequences must increase; record " + i + " has " + sequences[i]
                        + " after " + sequences[i - 1]);
            }
        }
        return encode(partition, records.stream().map(SequencedRecord::record).toList(), sequences, acks, identity,
                -1, null);
    }

    private static ProduceRequest encode(TopicPartition partition, List<ProducerRecord> records, long[] sequences,
                                         Acks acks, ProducerIdentity identity, long baseSequence,
                                         String idempotencyKey) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode array = root.putArray("records");
        for (int i = 0; i < records.size(); i++) {
            ProducerRecord record = records.get(i);
            ObjectNode node = array.addObject();
            if (record.key() == null) {
                node.putNull("key");
            } else {
                node.put("key", record.key());
            }
            node.putRawValue("value", new RawValue(record.valueJson()));
            ObjectNode headers = node.putObject("headers");
            record.headers().forEach(headers::put);
            node.put("partition", partition.partition());
            if (record.timestamp() != null) {
                node.put("timestamp", record.timestamp().longValue());
            }
            if (sequences != null) {
                node.put("sequence", sequences[i]);
            }
        }
        root.put("acks", acks.wireValue());
        if (identity != null) {
            root.put("producerId", identity.producerId());
            root.put("producerEpoch", identity.producerEpoch());
            if (sequences == null) {
                root.put("baseSequence", baseSequence);
            }
        }
        Map<String, String> headers = new HashMap<>();
        if (idempotencyKey != null) {
            headers.put("Idempotency-Key", idempotencyKey);
        }
        String path = "/api/v1/topics/" + HttpTransport.segment(partition.topic()) + "/records";
        return new ProduceRequest(partition, records.size(), path, Json.MAPPER.writeValueAsString(root),
                Map.copyOf(headers), identity != null || idempotencyKey != null);
    }

    /** Reads the offsets answer, which lists one entry per record in request order. */
    List<RecordMetadata> decode(JsonNode answer) {
        JsonNode offsets = answer.path("offsets");
        if (offsets.size() != recordCount) {
            throw new IngestException(200, null, "Unexpected produce answer",
                    "expected " + recordCount + " offsets, got " + offsets.size(), false, null);
        }
        List<RecordMetadata> metadata = new ArrayList<>(recordCount);
        for (JsonNode offset : offsets) {
            metadata.add(new RecordMetadata(partition.topic(),
                    Json.intOr(offset, "partition", partition.partition()),
                    Json.longOr(offset, "offset", RecordMetadata.UNKNOWN),
                    Json.longOr(offset, "timestamp", RecordMetadata.UNKNOWN)));
        }
        return metadata;
    }

    /** Metadata for a batch the service already has but whose offsets it no longer knows. */
    List<RecordMetadata> unknownOffsets(List<ProducerRecord> records) {
        List<RecordMetadata> metadata = new ArrayList<>(records.size());
        for (ProducerRecord record : records) {
            long timestamp = record.timestamp() == null ? RecordMetadata.UNKNOWN : record.timestamp();
            metadata.add(new RecordMetadata(partition.topic(), partition.partition(), RecordMetadata.UNKNOWN, timestamp));
        }
        return metadata;
    }
}
