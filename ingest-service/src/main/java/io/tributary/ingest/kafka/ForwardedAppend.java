package io.tributary.ingest.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import io.tributary.problem.ProblemType;
import org.apache.kafka.common.protocol.ApiKeys;
import tools.jackson.databind.json.JsonMapper;

/**
 * A produced batch one node forwards to the node that leads (or holds the only replica of) its partition, over
 * that node's replication listener ({@link ReplicaListener}) in Kafka's Envelope message: Kafka's own wrapper for
 * a request one node hands on to another, its fields written by kafka-clients' classes. Peers only, like every
 * request of that listener.
 *
 * <p>The envelope's {@code RequestData} (big-endian):
 * <pre>
 * offset size field
 *  0     2    topicLength  bytes of the topic's name
 *  2     n    topic        the name, UTF-8
 *  2+n   4    partition
 *  6+n   ...  part         the part of the partition's entry: a stored record batch, or the frame around one
 *                          that carries its request's Idempotency-Key (replication.KeyedBatch)
 * </pre>
 * The answer's {@code ErrorCode} is {@code NONE} with {@code ResponseData} = the batch's apply reply
 * (replication.ApplyReply: its offsets, or the producer-state or record verdict that refused it); or
 * {@code UNKNOWN_SERVER_ERROR} with {@code ResponseData} = an RFC 9457 problem document (JSON: type, title,
 * status, detail), the one the node's HTTP API would have answered.
 */
public record ForwardedAppend(String topic, int partition, byte[] part) {

    /** Both ends run the same kafka-clients. */
    public static final short VERSION = ApiKeys.ENVELOPE.latestVersion();

    /** The envelope's request data. */
    public ByteBuffer encode() {
        byte[] name = topic.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + name.length + 4 + part.length).putShort((short) name.length).put(name)
                .putInt(partition).put(part).flip();
    }

    /** The forwarded part in an envelope's request data; IllegalArgumentException when it is not one. */
    static ForwardedAppend decode(ByteBuffer data) {
        ByteBuffer b = data.duplicate();
        if (b.remaining() < 6) {
            throw new IllegalArgumentException("a forwarded append of " + b.remaining() + " bytes");
        }
        int length = Short.toUnsignedInt(b.getShort());
        if (b.remaining() < length + 4) {
            throw new IllegalArgumentException("a forwarded append cut short in its topic name");
        }
        byte[] name = new byte[length];
        b.get(name);
        int partition = b.getInt();
        byte[] part = new byte[b.remaining()];
        b.get(part);
        return new ForwardedAppend(new String(name, StandardCharsets.UTF_8), partition, part);
    }

    /** The problem document a refusal is answered with. */
    static ByteBuffer problem(ProblemType type, String detail) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("type", type.uriString());
        doc.put("title", type.title());
        doc.put("status", type.status());
        doc.put("detail", detail);
        return ByteBuffer.wrap(JsonMapper.shared().writeValueAsBytes(doc));
    }
}
