package io.tributary.ingest.topic;

import java.util.regex.Pattern;

/** Topic name rules, as Kafka's: {@code [a-zA-Z0-9._-]}, 1 to 249 characters, not "." or "..". */
public final class TopicNames {

    public static final int MAX_LENGTH = 249;
    /** Prefix of topics the service itself owns, such as {@code __consumer_offsets}. */
    public static final String INTERNAL_PREFIX = "__";

    /** The service's topic of committed consumer-group offsets (as Kafka's). */
    public static final String CONSUMER_OFFSETS = "__consumer_offsets";

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");

    private TopicNames() {
    }

    /** @throws InvalidTopicException naming what is wrong with {@code name} */
    public static void validate(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidTopicException("topic name is empty");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new InvalidTopicException("topic name cannot be '.' or '..'");
        }
        if (name.length() > MAX_LENGTH) {
            throw new InvalidTopicException("topic name is " + name.length() + " characters, at most " + MAX_LENGTH
                    + " are allowed");
        }
        if (!LEGAL.matcher(name).matches()) {
            throw new InvalidTopicException("topic name '" + name + "' may only contain ASCII letters, digits, '.', '_' and '-'");
        }
    }

    public static boolean isInternal(String name) {
        return name.startsWith(INTERNAL_PREFIX);
    }
}
