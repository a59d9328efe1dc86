package io.tributary.ingest.produce;

import java.util.Locale;

/**
 * When a produce is answered. {@code ALL}: once the write is committed (on one node: appended
 * and flushed as the topic's flush policy demands; with replication: on a majority).
 * {@code LEADER}: once the partition leader appended it.
 */
public enum Acks {
    ALL, LEADER;

    /** Parses {@code all}, {@code -1}, {@code leader} or {@code 1}; null means {@code all}. */
    public static Acks parse(String raw) {
        if (raw == null) {
            return ALL;
        }
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "all", "-1" -> ALL;
            case "leader", "1" -> LEADER;
            case "none", "0" -> throw new InvalidProduceRequestException(
                    "acks=" + raw + " is not offered over HTTP, where every request gets an answer; use acks=leader");
            default -> throw new InvalidProduceRequestException("acks must be all (or -1) or leader (or 1), was " + raw);
        };
    }
}
