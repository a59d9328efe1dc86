package io.tributary.client.consumer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.tributary.client.ConsumedRecord;
import io.tributary.client.TopicPartition;
import io.tributary.client.internal.Codecs;
import io.tributary.client.internal.HttpTransport;
import io.tributary.client.internal.Json;
import io.tributary.client.internal.PollAnswerReader;
import io.tributary.client.internal.Resend;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The consumer group endpoints, one method per call; no state beyond the group name. */
final class GroupProtocol {

    /**
     * One poll answer: the membership it was served under, its records, and its sequence number
     * ({@code pollSeq}; -1 from a service that predates it, which ignores {@code after}).
     */
    record PollAnswer(Membership membership, List<ConsumedRecord> records, long pollSeq) {
    }

    private final HttpTransport transport;
    private final String groupPath;

    GroupProtocol(HttpTransport transport, String group) {
        this.transport = transport;
        this.groupPath = "/api/v1/groups/" + HttpTransport.segment(group);
    }

    Membership join(ConsumerSettings settings) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode topics = body.putArray("topics");
        settings.topics().forEach(topics::add);
        body.put("sessionTimeoutMs", settings.sessionTimeout().toMillis());
        body.put("autoOffsetReset", settings.autoOffsetReset().wireValue());
        // Sent again only after a refusal: a join that may have happened would leave a member behind.
        return membership(null, transport.send("POST", groupPath + "/members", body.toString(), Resend.REFUSED));
    }

    Membership heartbeat(String memberId) {
        return membership(memberId, transport.send("POST", memberPath(memberId) + "/heartbeat", null,
                Resend.ANY_FAILURE));
    }

    /**
     * @param after the pollSeq of the latest answer received (0 before the first): a poll sent again
     *              with the same value reads the records of an answer that was lost again, so it may
     *              go to any node after any failure
     */
    CompletableFuture<PollAnswer> poll(String memberId, long after, int maxRecords, Duration maxWait) {
        String query = "/records?maxRecords=" + maxRecords + "&maxWaitMs=" + maxWait.toMillis() + "&after=" + after;
        return transport.sendForBytesAsync("GET", memberPath(memberId) + query, maxWait, Resend.ANY_FAILURE,
                body -> pollAnswer(memberId, body));
    }

    /**
     * Reads a poll answer as a whole; when that fails (a value nested too deep, say), record by
     * record, so that only the unreadable record is marked ({@link ConsumedRecord#valueError()})
     * and the partition is not blocked by it.
     */
    private static PollAnswer pollAnswer(String memberId, byte[] body) {
        JsonNode answer;
        try {
            answer = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            PollAnswerReader.Answer read = PollAnswerReader.read(body, null);
            return new PollAnswer(membership(memberId, read.envelope()), read.records(), pollSeq(read.envelope()));
        }
        List<ConsumedRecord> records = new ArrayList<>();
        for (JsonNode record : answer.path("records")) {
            records.add(Codecs.consumedRecord(record, null));
        }
        return new PollAnswer(membership(memberId, answer), records, pollSeq(answer));
    }

    private static long pollSeq(JsonNode answer) {
        JsonNode seq = answer.path("pollSeq");
        return seq.isIntegralNumber() && seq.canConvertToLong() && seq.asLong() >= 0 ? seq.asLong() : -1;
    }

    /** Commits next-offsets-to-consume under the member's generation. */
    void commit(Membership member, Map<TopicPartition, Long> offsets) {
        ObjectNode body = Json.MAPPER.createObjectNode()
                .put("memberId", member.memberId())
                .put("generation", member.generation());
        ArrayNode array = body.putArray("offsets");
        offsets.forEach((partition, offset) -> array.addObject()
                .put("topic", partition.topic())
                .put("partition", partition.partition())
                .put("offset", offset.longValue()));
        transport.send("POST", groupPath + "/offsets", body.toString(), Resend.ANY_FAILURE);
    }

    void leave(String memberId) {
        transport.send("DELETE", memberPath(memberId), null, Resend.ANY_FAILURE);
    }

    private String memberPath(String memberId) {
        return groupPath + "/members/" + HttpTransport.segment(memberId);
    }

    private static Membership membership(String knownMemberId, JsonNode answer) {
        String memberId = Json.textOrNull(answer, "memberId");
        return new Membership(memberId == null ? knownMemberId : memberId,
                Json.intOr(answer, "generation", -1),
                new HashSet<>(Codecs.topicPartitions(answer.path("assignments"))));
    }
}
