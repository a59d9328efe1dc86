package io.tributary.ingest.acl;

/** The authorizer's verdict and why, for the 403 problem and the logs. */
public record Decision(boolean allowed, String reason) {

    /** The rule that no one changes an internal topic through the API. */
    public static final String INTERNAL_TOPIC_RULE = "internal-topics-are-read-only";

    static Decision allow(String reason) {
        return new Decision(true, reason);
    }

    static Decision deny(String reason) {
        return new Decision(false, reason);
    }
}
