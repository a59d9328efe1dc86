package io.tributary.client.consumer;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.tributary.client.ClientSettings;

/**
 * Group consumer configuration. Build with {@link #builder(ClientSettings, String, List)}.
 *
 * @param sessionTimeout    how long the service keeps a silent member
 * @param heartbeatInterval how often the background thread heartbeats; well below sessionTimeout
 * @param autoOffsetReset   start position for partitions without a committed offset
 * @param maxPollRecords    most records one poll returns
 * @param pollWait          how long one poll request may wait on the server for records
 * @param enableAutoCommit  commit the positions returned so far at each poll and on close
 */
public record ConsumerSettings(ClientSettings client, String group, List<String> topics, Duration sessionTimeout,
                               Duration heartbeatInterval, AutoOffsetReset autoOffsetReset, int maxPollRecords,
                               Duration pollWait, boolean enableAutoCommit) {

    public ConsumerSettings {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(group, "group");
        topics = List.copyOf(topics);
        if (topics.isEmpty() || maxPollRecords < 1) {
            throw new IllegalArgumentException("need at least one topic and a positive maxPollRecords");
        }
    }

    public static Builder builder(ClientSettings client, String group, List<String> topics) {
        return new Builder(client, group, topics);
    }

    /** Mutable builder for {@link ConsumerSettings}. */
    public static final class Builder {
        private final ClientSettings client;
        private final String group;
        private final List<String> topics;
        private Duration sessionTimeout = Duration.ofSeconds(30);
        private Duration heartbeatInterval = Duration.ofSeconds(3);
        private AutoOffsetReset autoOffsetReset = AutoOffsetReset.LATEST;
        private int maxPollRecords = 500;
        private Duration pollWait = Duration.ofMillis(500);
        private boolean enableAutoCommit;

        private Builder(ClientSettings client, String group, List<String> topics) {
            this.client = client;
            this.group = group;
            this.topics = topics;
        }

        public Builder sessionTimeout(Duration value) {
            this.sessionTimeout = value;
            return this;
        }

        public Builder heartbeatInterval(Duration value) {
            this.heartbeatInterval = value;
            return this;
        }

        public Builder autoOffsetReset(AutoOffsetReset value) {
            this.autoOffsetReset = value;
            return this;
        }

        public Builder maxPollRecords(int value) {
            this.maxPollRecords = value;
            return this;
        }

        public Builder pollWait(Duration value) {
            this.pollWait = value;
            return this;
        }

        public Builder enableAutoCommit(boolean value) {
            this.enableAutoCommit = value;
            return this;
        }

        public ConsumerSettings build() {
            return new ConsumerSettings(client, group, topics, sessionTimeout, heartbeatInterval, autoOffsetReset,
                    maxPollRecords, pollWait, enableAutoCommit);
        }
    }
}
