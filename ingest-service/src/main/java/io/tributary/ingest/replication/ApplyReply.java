package io.tributary.ingest.replication;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.log.AppendResult;
import io.tributary.ingest.log.DuplicateSequenceException;
import io.tributary.ingest.log.InvalidRecordException;
import io.tributary.ingest.log.OutOfOrderSequenceException;
import io.tributary.ingest.log.ProducerFencedException;
import io.tributary.ingest.log.RecordTooLargeException;

/**
 * What applying one record batch answered, as the bytes of a Ratis reply message: the offsets
 * the apply assigned, or the producer-state verdict that refused the batch. Every replica
 * computes the same answer; the proposer turns it back into an {@link AppendResult} or the
 * exception the single-node log would have thrown.
 *
 * <p>Layout (big-endian): {@code OK} = code 0, base offset (8), duplicate flag (1), record count
 * (4), then only for a duplicate the original records' timestamps (8 each); an appended batch's
 * timestamps are its own, which the proposer still holds (a batch answered from a partition's
 * {@code Idempotency-Key} memory is a duplicate). A refusal = code 1-5 or 7, a detail number
 * (8, the last sequence for out-of-order, else -1), message length (4) and UTF-8 message. An
 * entry of several batches ({@link GroupCommit}) answers {@code MULTI} = code 6, the count (4) and
 * per batch its reply's length (4) and reply. Code 7 ({@code KEY_REUSED}) refuses a batch whose
 * {@code Idempotency-Key} the partition holds for another request body. Code 8 ({@code WRITTEN_DIRECTLY})
 * refuses a batch that reached the Raft log while the partition's only replica appends batches
 * directly ({@link ModeEntry}): nothing was written, and a retry goes the direct way.
 */
final class ApplyReply {

    static final byte OK = 0;
    static final byte FENCED = 1;
    static final byte OUT_OF_ORDER = 2;
    static final byte DUPLICATE_SEQUENCE = 3;
    static final byte INVALID_RECORD = 4;
    static final byte TOO_LARGE = 5;
    static final byte MULTI = 6;
    static final byte KEY_REUSED = 7;
    static final byte WRITTEN_DIRECTLY = 8;

    private ApplyReply() {
    }

    static byte[] ok(AppendResult result) {
        long[] ts = result.duplicate() ? result.timestamps() : new long[0];
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 1 + 4 + 8 * ts.length);
        b.put(OK).putLong(result.baseOffset()).put((byte) (result.duplicate() ? 1 : 0)).putInt(result.count());
        for (long t : ts) {
            b.putLong(t);
        }
        return b.array();
    }

    /** The reply of an entry holding several batches: one reply per batch, in entry order. */
    static byte[] multi(List<byte[]> replies) {
        int size = 1 + 4;
        for (byte[] r : replies) {
            size += 4 + r.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).put(MULTI).putInt(replies.size());
        for (byte[] r : replies) {
            b.putInt(r.length).put(r);
        }
        return b.array();
    }

    /**
     * The per-batch replies of an entry of {@code batches} batches: the reply itself for one batch,
     * the parts of a {@link #multi} reply otherwise.
     */
    static List<ByteBuffer> split(ByteBuffer reply, int batches) {
        if (batches == 1) {
            return List.of(reply);
        }
        ByteBuffer b = reply.duplicate();
        if (b.get() != MULTI || b.getInt() != batches) {
            throw new IllegalStateException("the reply to an entry of " + batches + " batches is not a reply per batch");
        }
        List<ByteBuffer> out = new ArrayList<>(batches);
        for (int i = 0; i < batches; i++) {
            int len = b.getInt();
            out.add(b.slice(b.position(), len));
            b.position(b.position() + len);
        }
        return out;
    }

    /** The refusal of a batch whose {@code Idempotency-Key} the partition holds for another request body. */
    static byte[] keyReused() {
        return refusal(KEY_REUSED, -1, "Idempotency-Key was already used for a different request body");
    }

    /**
     * The offset after the batch an {@code OK} reply names (for a duplicate, its original's), or -1
     * for a refusal.
     */
    static long endOffset(ByteBuffer reply) {
        ByteBuffer b = reply.duplicate();
        if (b.get() != OK) {
            return -1;
        }
        long base = b.getLong();
        b.get(); // duplicate flag
        return base + b.getInt();
    }

    /** Whether a reply is {@link #writtenDirectly}'s refusal (nothing was written). */
    static boolean writtenDirectly(ByteBuffer reply) {
        return reply.remaining() > 0 && reply.get(reply.position()) == WRITTEN_DIRECTLY;
    }

    /** The refusal of a batch that came as a Raft entry while its partition is written directly. */
    static byte[] writtenDirectly() {
        return refusal(WRITTEN_DIRECTLY, -1, "the partition's leader appends batches directly now; retry");
    }

    /** The reply for a refused batch, or null when {@code e} is not a producer-state or record verdict. */
    static byte[] refused(RuntimeException e) {
        byte code;
        long extra = -1;
        if (e instanceof ProducerFencedException) {
            code = FENCED;
        } else if (e instanceof OutOfOrderSequenceException o) {
            code = OUT_OF_ORDER;
            extra = o.lastSequence();
        } else if (e instanceof DuplicateSequenceException) {
            code = DUPLICATE_SEQUENCE;
        } else if (e instanceof InvalidRecordException) {
            code = INVALID_RECORD;
        } else if (e instanceof RecordTooLargeException) {
            code = TOO_LARGE;
        } else {
            return null;
        }
        return refusal(code, extra, String.valueOf(e.getMessage()));
    }

    private static byte[] refusal(byte code, long extra, String message) {
        byte[] msg = message.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 8 + 4 + msg.length).put(code).putLong(extra).putInt(msg.length).put(msg).array();
    }

    /**
     * Decodes the reply to a batch whose records carry {@code sentTimestamps}: the append result, or
     * throws what the log threw on the replicas.
     */
    static AppendResult decode(ByteBuffer b, long[] sentTimestamps) {
        byte code = b.get();
        if (code == OK) {
            long base = b.getLong();
            boolean duplicate = b.get() == 1;
            int count = b.getInt();
            if (!duplicate) {
                if (count != sentTimestamps.length) {
                    throw new IllegalStateException("a batch of " + sentTimestamps.length + " records was applied as "
                            + count);
                }
                return new AppendResult(base, sentTimestamps, false);
            }
            long[] ts = new long[count];
            for (int i = 0; i < ts.length; i++) {
                ts[i] = b.getLong();
            }
            return new AppendResult(base, ts, true);
        }
        long extra = b.getLong();
        byte[] msg = new byte[b.getInt()];
        b.get(msg);
        String message = new String(msg, StandardCharsets.UTF_8);
        throw switch (code) {
            case FENCED -> new ProblemException(ProblemType.PRODUCER_FENCED, message);
            case OUT_OF_ORDER -> new OutOfOrderSequenceException(message, extra);
            case DUPLICATE_SEQUENCE -> new DuplicateSequenceException(message);
            case INVALID_RECORD -> new InvalidRecordException(message);
            case TOO_LARGE -> new RecordTooLargeException(message);
            case KEY_REUSED -> new ProblemException(ProblemType.IDEMPOTENCY_KEY_REUSED, message);
            case WRITTEN_DIRECTLY -> new ProblemException(ProblemType.NOT_ENOUGH_REPLICAS, message);
            default -> new IllegalStateException("unknown apply reply code " + code);
        };
    }
}
