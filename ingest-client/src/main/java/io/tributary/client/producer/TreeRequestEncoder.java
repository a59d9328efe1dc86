package io.tributary.client.producer;

import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import io.tributary.client.ProducerIdentity;
import io.tributary.client.TopicPartition;
import io.tributary.client.internal.HttpTransport;
import io.tributary.client.internal.Json;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/**
 * Writes the body of a sequenced produce request from Jackson trees in one pass with a streaming
 * generator: no intermediate request tree, no per-record value string, and no re-parsing of
 * values (a tree serialises to valid JSON by construction). The body has the same shape as
 * {@link ProduceRequest#encodeSequenced}'s.
 */
final class TreeRequestEncoder {

    private TreeRequestEncoder() {
    }

    static ProduceRequest encode(TopicPartition partition, List<SequencedTree> records, Acks acks,
                                 ProducerIdentity identity) {
        StringWriter body = new StringWriter(records.size() * 160 + 64);
        try (JsonGenerator json = Json.MAPPER.createGenerator(body)) {
            json.writeStartObject();
            json.writeArrayPropertyStart("records");
            long previous = -1;
            for (SequencedTree record : records) {
                if (record.sequence() <= previous) {
                    throw new IllegalArgumentException("sequences must increase; " + record.sequence() + " follows "
                            + previous);
                }
                previous = record.sequence();
                json.writeStartObject();
                json.writeStringProperty("key", record.key());
                json.writeName("value");
                writeValue(json, record.value());
                json.writeObjectPropertyStart("headers");
                for (Map.Entry<String, String> header : record.headers().entrySet()) {
                    json.writeStringProperty(header.getKey(), header.getValue());
                }
                json.writeEndObject();
                json.writeNumberProperty("partition", partition.partition());
                if (record.timestamp() != null) {
                    json.writeNumberProperty("timestamp", record.timestamp().longValue());
                }
                json.writeNumberProperty("sequence", record.sequence());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeStringProperty("acks", acks.wireValue());
            json.writeNumberProperty("producerId", identity.producerId());
            json.writeNumberProperty("producerEpoch", identity.producerEpoch());
            json.writeEndObject();
        }
        String path = "/api/v1/topics/" + HttpTransport.segment(partition.topic()) + "/records";
        return new ProduceRequest(partition, records.size(), path, body.toString(), Map.of(), true);
    }

    /**
     * Writes a tree node by node. The usual {@code writeTree} goes through the mapper's serializer
     * lookup for every node, which costs more than the writing itself for small records.
     */
    private static void writeValue(JsonGenerator json, JsonNode node) {
        if (node == null) {
            json.writeNull();
            return;
        }
        switch (node.getNodeType()) {
            case OBJECT -> {
                json.writeStartObject();
                for (Map.Entry<String, JsonNode> property : node.properties()) {
                    json.writeName(property.getKey());
                    writeValue(json, property.getValue());
                }
                json.writeEndObject();
            }
            case ARRAY -> {
                json.writeStartArray();
                for (JsonNode element : node) {
                    writeValue(json, element);
                }
                json.writeEndArray();
            }
            case STRING -> json.writeString(node.stringValue());
            case BOOLEAN -> json.writeBoolean(node.booleanValue());
            case NULL, MISSING -> json.writeNull();
            case NUMBER -> writeNumber(json, node);
            default -> json.writeTree(node); // binary and POJO nodes: rare, let the mapper decide
        }
    }

    private static void writeNumber(JsonGenerator json, JsonNode number) {
        switch (number.numberType()) {
            case INT -> json.writeNumber(number.intValue());
            case LONG -> json.writeNumber(number.longValue());
            case BIG_INTEGER -> json.writeNumber(number.bigIntegerValue());
            case FLOAT -> json.writeNumber(number.floatValue());
            case DOUBLE -> json.writeNumber(number.doubleValue());
            default -> json.writeNumber(number.decimalValue());
        }
    }
}
