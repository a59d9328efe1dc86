package io.tributary.ingest.group;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import io.tributary.ingest.problem.ProblemException;
import io.tributary.problem.ProblemType;
import io.tributary.ingest.topic.TopicPartition;

/**
 * A member's read positions after each of its recent poll answers, so that a poll whose answer
 * was lost can be sent again without skipping records.
 *
 * <p>Every poll answer carries a sequence number ({@code pollSeq}: 1, 2, ... per member, never
 * reused) and this class keeps the positions after it. A poll names the latest answer its client
 * received ({@code after}; 0, the empty start, before the first) and reads on from the positions
 * after that answer. A poll sent again after a lost answer names the same answer as before, so it
 * reads the lost answer's records again (as far as they are still in the log): at-least-once, never
 * skipped. A poll without {@code after} (clients that predate it) reads on from the latest answer.
 *
 * <p>Which answers can be named: the one a poll named last (the client has it, so it never names
 * an older one; older ones are forgotten) and up to {@code ingest.groups.max-unacknowledged-polls}
 * answers issued since, which a client may not have received (lost answers, or a poll that was still waiting on
 * the server when its client gave up and asked again: each answer follows from the answer its poll
 * named, so either can be acknowledged). Naming any other is refused (409 unknown-poll-sequence).
 *
 * <p>Example: answers 1 and 2 arrived; {@code after=2} is answered with 3, which is lost; the client
 * sends {@code after=2} again: answer 4 starts where 3 did, with the same records, and the client
 * next sends {@code after=4}.
 *
 * <p>Guarded by the group's lock, like {@link GroupMember}. Not durable: it lives with the member on
 * its coordinator, and a member the coordinator forgot (restart, coordinator move) gets 404 and
 * rejoins from the committed offsets.
 */
final class MemberPositions {

    /** Answers kept beyond the acknowledged one: a bound on memory per member. */
    private final int maxUnacknowledged;

    /** Positions after each answer that may still be named, by sequence number; 0 is the empty start. */
    private final TreeMap<Long, Map<TopicPartition, Long>> answers = new TreeMap<>();
    /** The answer the latest poll named: its client has it, so none older is named again. */
    private long acknowledged;
    private long lastIssued;

    MemberPositions(int maxUnacknowledged) {
        if (maxUnacknowledged < 1) {
            throw new IllegalArgumentException("ingest.groups.max-unacknowledged-polls must be at least 1, was "
                    + maxUnacknowledged);
        }
        this.maxUnacknowledged = maxUnacknowledged;
        answers.put(0L, new HashMap<>());
    }

    /** The sequence number of the latest answer issued (0: none yet). */
    long latest() {
        return lastIssued;
    }

    /**
     * The positions a poll reads from: those after answer {@code after}, or after the latest answer
     * when null. A copy: the poll adds the positions it looks up and hands it to {@link #answered}.
     *
     * @throws ProblemException UNKNOWN_POLL_SEQUENCE when {@code after} cannot be named (see above)
     */
    Map<TopicPartition, Long> startFrom(Long after, String memberId) {
        long named = after == null ? answers.lastKey() : after;
        Map<TopicPartition, Long> positions = answers.get(named);
        if (positions == null) {
            throw new ProblemException(ProblemType.UNKNOWN_POLL_SEQUENCE, "poll sequence " + named + " of member "
                    + memberId + " is unknown: it was never answered, or is older than the answer acknowledged since ("
                    + acknowledged + "); send the pollSeq of the latest answer received, or join again",
                    Map.of("pollSeq", lastIssued, "acknowledged", acknowledged));
        }
        if (named > acknowledged) {
            acknowledged = named;
            answers.headMap(named).clear();
        }
        return new HashMap<>(positions);
    }

    /**
     * Records the positions after a new answer and returns its sequence number. Forgets the oldest
     * unacknowledged answer beyond the bound; never the acknowledged one.
     */
    long answered(Map<TopicPartition, Long> positionsAfter) {
        long seq = ++lastIssued;
        answers.put(seq, positionsAfter);
        while (answers.size() > maxUnacknowledged + 1) {
            answers.remove(answers.higherKey(acknowledged));
        }
        return seq;
    }

    /** After a rebalance: forgets the partitions the member no longer owns (they restart at the committed offset). */
    void retainAll(Collection<TopicPartition> owned) {
        answers.values().forEach(positions -> positions.keySet().retainAll(owned));
    }
}
