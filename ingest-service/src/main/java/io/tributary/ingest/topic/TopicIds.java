package io.tributary.ingest.topic;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/**
 * Topic ids, as Kafka's: a UUID written as 22 characters of URL-safe base64 without padding
 * ({@code [A-Za-z0-9_-]}), so it can be part of producer names and group ids as it is.
 */
public final class TopicIds {

    private TopicIds() {
    }

    /** A new random id, for a topic created on this node. */
    public static String random() {
        return encode(UUID.randomUUID());
    }

    /**
     * The id of a topic that was created without one (before topic ids existed) on a cluster:
     * derived from its name and incarnation (the metadata Raft log index of its create command),
     * so that every node derives the same id and a re-created namesake (a later index) another.
     */
    public static String derived(String name, long incarnation) {
        return encode(UUID.nameUUIDFromBytes(("tributary-topic/" + name + "/" + incarnation)
                .getBytes(StandardCharsets.UTF_8)));
    }

    static String encode(UUID uuid) {
        ByteBuffer bytes = ByteBuffer.allocate(16);
        bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }
}
