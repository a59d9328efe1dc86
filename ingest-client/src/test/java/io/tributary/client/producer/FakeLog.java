package io.tributary.client.producer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.tributary.client.FakeIngestServer.Reply;
import io.tributary.client.FakeIngestServer.Request;
import io.tributary.client.internal.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Answers produce requests like the service: consecutive offsets per partition, timestamp 1000 + offset. */
final class FakeLog {

    private final Map<Integer, AtomicLong> nextOffsets = new ConcurrentHashMap<>();

    Reply append(Request request) {
        ObjectNode answer = Json.MAPPER.createObjectNode();
        ArrayNode offsets = answer.putArray("offsets");
        for (JsonNode record : request.json().path("records")) {
            int partition = record.path("partition").asInt();
            long offset = nextOffsets.computeIfAbsent(partition, p -> new AtomicLong()).getAndIncrement();
            offsets.addObject().put("partition", partition).put("offset", offset).put("timestamp", 1000 + offset);
        }
        return Reply.ok(answer);
    }
}
