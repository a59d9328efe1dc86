package io.tributary.ingest.replication;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.tributary.ingest.problem.ProblemException;
import io.tributary.ingest.problem.ProblemType;
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
 */
final class ApplyReply {

    static final byte OK = 0;
    static final byte FENCED = 1;
    static final byte OUT_OF_ORDER = 2;
    static final byte DUPLICATE_SEQUENCE = 3;
    static final byte INVALID_RECORD = 4;
    static final byte TOO_LARGE = 5;

    private ApplyReply() {
    }

    static byte[] ok(AppendResult result) {
        long[] ts = result.timestamps();
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 1 + 4 + 8 * ts.length);
        b.put(OK).putLong(result.baseOffset()).put((byte) (result.duplicate() ? 1 : 0)).putInt(ts.length);
        for (long t : ts) {
            b.putLong(t);
        }
        return b.array();
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
        byte[] msg = String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 8 + 4 + msg.length).put(code).putLong(extra).putInt(msg.length).put(msg).array();
    }

    /** Decodes a reply: the append result, or throws what the log threw on the replicas. */
    static AppendResult decode(ByteBuffer b) {
        byte code = b.get();
        if (code == OK) {
            long base = b.getLong();
            boolean duplicate = b.get() == 1;
            long[] ts = new long[b.getInt()];
            for (int i = 0; i < ts.length; i++) {
                ts[i] = b.getLong();
            }
            return new AppendResult(base, ts, duplicate);
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
            default -> new IllegalStateException("unknown apply reply code " + code);
        };
    }
}
