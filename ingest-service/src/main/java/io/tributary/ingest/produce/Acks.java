package io.tributary.ingest.produce;

import java.util.Locale;

/**
 * When a produce is answered: {@code ALL}, once the write is committed (on one node: appended
 * and flushed as the topic's flush policy demands; with replication: applied after a majority
 * of the partition's replicas have it in their Raft log).
 *
 * <p>There is deliberately no weaker setting. {@code acks=leader} (Kafka's {@code 1}) was once
 * parsed and then treated as {@code all}, a promise the log did not keep; it is now refused, so
 * a caller never believes it traded durability for latency when it did not. {@code acks=0} is
 * refused as well: an HTTP request always waits for its answer, so it would promise nothing.
 */
public enum Acks {
    ALL;

    /** Parses {@code all} or {@code -1}; null means {@code all}. */
    public static Acks parse(String raw) {
        if (raw == null) {
            return ALL;
        }
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "all", "-1" -> ALL;
            case "leader", "1" -> throw new InvalidProduceRequestException("acks=" + raw + " is not offered: every"
                    + " acknowledged write is committed (by a majority of replicas on a cluster); send acks=all"
                    + " or leave acks out");
            case "none", "0" -> throw new InvalidProduceRequestException(
                    "acks=" + raw + " is not offered over HTTP, where every request gets an answer; send acks=all"
                            + " or leave acks out");
            default -> throw new InvalidProduceRequestException("acks must be all (or -1), was " + raw);
        };
    }
}
