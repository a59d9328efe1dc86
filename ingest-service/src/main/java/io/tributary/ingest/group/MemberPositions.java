package io.tributary.ingest.group;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import io.tributary.ingest.problem.ProblemException;
import io.tributary.ingest.problem.ProblemType;
import io.tributary.ingest.topic.TopicPartition;

/**
 * A member's read positions, and the positions from before its latest poll answer, so that a
 * poll whose answer was lost can be sent again without skipping records.
 *
 * <p>Every poll answer carries a sequence number ({@code pollSeq}, 1, 2, ... per member, never
 * reused). A poll may say which answer its client received last ({@code after}, 0 before the
 * first): then {@code positions} hold the state after answer {@link #seq()}, and {@code acked}
 * the state after answer {@link #ackedSeq()}, the answer the client had when it asked for
 * {@code seq}. A poll {@code after == seq} acknowledges the latest answer and reads on; a poll
 * {@code after == ackedSeq} says the latest answer never arrived, so the positions go back to
 * {@code acked} and the same records are read again (as far as they are still in the log). Any
 * other value was never issued, or is older than the answer already acknowledged: refused (409),
 * since the records in between cannot be told apart. A poll without {@code after} acknowledges
 * whatever was answered last (the behaviour of clients that predate it).
 *
 * <p>Example: answers 1 and 2 arrived; poll {@code after=2} is answered with 3, which is lost; the
 * client polls {@code after=2} again: positions go back to after 2, the answer (4) carries
 * answer 3's records again, and the client next sends {@code after=4}.
 *
 * <p>Guarded by the group's lock, like {@link GroupMember}. Not durable: the state lives with the
 * member on its coordinator, and a member the coordinator forgot (restart, coordinator move)
 * gets 404 and rejoins from the committed offsets.
 */
final class MemberPositions {

    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private final Map<TopicPartition, Long> acked = new HashMap<>();
    private long seq;
    private long ackedSeq;
    private long lastIssued;

    /** The sequence number of the answer the positions are after (0: none yet). */
    long seq() {
        return seq;
    }

    /** The answer the client had when it asked for answer {@link #seq()}. */
    long ackedSeq() {
        return ackedSeq;
    }

    Long get(TopicPartition tp) {
        return positions.get(tp);
    }

    void put(TopicPartition tp, long position) {
        positions.put(tp, position);
    }

    /** Forgets a position: it is looked up again (committed offset, reset policy) on the next poll. */
    void remove(TopicPartition tp) {
        positions.remove(tp);
    }

    /** After a rebalance: forgets the partitions the member no longer owns. */
    void retainAll(Collection<TopicPartition> owned) {
        positions.keySet().retainAll(owned);
        acked.keySet().retainAll(owned);
    }

    /**
     * Brings the positions to the state after answer {@code after}, the latest the client says it
     * received; null (an old client) takes the latest answer as received.
     *
     * @return the acknowledgement the poll is served under, for {@link #answered(long)}
     * @throws ProblemException UNKNOWN_POLL_SEQUENCE when {@code after} is neither the latest
     *                          answer nor the one before it
     */
    long acknowledge(Long after, String memberId) {
        if (after == null || after == seq) {
            return seq;
        }
        if (after != ackedSeq) {
            throw new ProblemException(ProblemType.UNKNOWN_POLL_SEQUENCE, "poll sequence " + after
                    + " is not the latest answer of member " + memberId + " (" + seq + ") nor the one before ("
                    + ackedSeq + "); send the pollSeq of the latest answer received, or join again",
                    Map.of("pollSeq", seq));
        }
        // The latest answer was lost: forget it.
        positions.clear();
        positions.putAll(acked);
        seq = ackedSeq;
        return seq;
    }

    /**
     * Called when a poll served under {@code ack} (what {@link #acknowledge} returned; null for a
     * poll without {@code after}) is about to answer, before its records move the positions:
     * remembers the positions the answer starts from and returns its sequence number.
     *
     * @throws ProblemException UNKNOWN_POLL_SEQUENCE when concurrent polls of the member moved
     *                          on by more than one answer meanwhile
     */
    long answered(Long ack, String memberId) {
        // Another poll of the member answered while this one waited: the client, which sent this
        // one, did not have that answer (say it timed out and asked again). Supersede it.
        acknowledge(ack, memberId);
        acked.clear();
        acked.putAll(positions);
        ackedSeq = seq;
        seq = ++lastIssued;
        return seq;
    }
}
