package io.tributary.client.producer;

import java.time.Duration;
import java.util.Objects;

import io.tributary.client.ClientSettings;

/**
 * Producer tuning. Build with {@link #builder(ClientSettings)}; every field has a default.
 *
 * @param batchSize        records per partition batch before it is sent without waiting for linger
 * @param maxBatchBytes    estimated body bytes per batch before it is sent without waiting for linger
 * @param linger           how long a non-full batch waits for more records
 * @param bufferMemory     estimated bytes of unsent and in-flight records before {@code send} blocks
 * @param maxBlock         how long {@code send} blocks for buffer memory or topic metadata
 * @param retryBackoff     first retry delay; doubles each attempt up to {@code retryBackoffMax}
 * @param maxAttempts      attempts per batch, including the first
 * @param deliveryTimeout  upper bound from a batch's first attempt to giving up
 * @param idempotent       register a producer id and send sequences so retries never duplicate
 * @param producerName     a stable name for the producer id (fences older instances); null for a fresh id
 * @param metadataMaxAge   how long partition counts are cached
 */
public record ProducerSettings(ClientSettings client, int batchSize, int maxBatchBytes, Duration linger,
                               long bufferMemory, Duration maxBlock, Duration retryBackoff,
                               Duration retryBackoffMax, int maxAttempts, Duration deliveryTimeout,
                               boolean idempotent, String producerName, Acks acks, Duration metadataMaxAge) {

    public ProducerSettings {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(acks, "acks");
        if (batchSize < 1 || maxBatchBytes < 1 || bufferMemory < maxBatchBytes || maxAttempts < 1) {
            throw new IllegalArgumentException("batchSize, maxBatchBytes and maxAttempts must be positive "
                    + "and bufferMemory at least maxBatchBytes");
        }
    }

    public static Builder builder(ClientSettings client) {
        return new Builder(client);
    }

    /** Mutable builder for {@link ProducerSettings}. */
    public static final class Builder {
        private final ClientSettings client;
        private int batchSize = 500;
        private int maxBatchBytes = 1 << 20;
        private Duration linger = Duration.ofMillis(5);
        private long bufferMemory = 32L << 20;
        private Duration maxBlock = Duration.ofSeconds(60);
        private Duration retryBackoff = Duration.ofMillis(100);
        private Duration retryBackoffMax = Duration.ofSeconds(5);
        private int maxAttempts = Integer.MAX_VALUE;
        private Duration deliveryTimeout = Duration.ofMinutes(2);
        private boolean idempotent = true;
        private String producerName;
        private Acks acks = Acks.ALL;
        private Duration metadataMaxAge = Duration.ofMinutes(5);

        private Builder(ClientSettings client) {
            this.client = client;
        }

        public Builder batchSize(int records) {
            this.batchSize = records;
            return this;
        }

        public Builder maxBatchBytes(int bytes) {
            this.maxBatchBytes = bytes;
            return this;
        }

        public Builder linger(Duration value) {
            this.linger = value;
            return this;
        }

        public Builder bufferMemory(long bytes) {
            this.bufferMemory = bytes;
            return this;
        }

        public Builder maxBlock(Duration value) {
            this.maxBlock = value;
            return this;
        }

        public Builder retryBackoff(Duration first, Duration max) {
            this.retryBackoff = first;
            this.retryBackoffMax = max;
            return this;
        }

        public Builder maxAttempts(int attempts) {
            this.maxAttempts = attempts;
            return this;
        }

        public Builder deliveryTimeout(Duration value) {
            this.deliveryTimeout = value;
            return this;
        }

        public Builder idempotent(boolean value) {
            this.idempotent = value;
            return this;
        }

        public Builder producerName(String name) {
            this.producerName = name;
            return this;
        }

        public Builder acks(Acks value) {
            this.acks = value;
            return this;
        }

        public Builder metadataMaxAge(Duration value) {
            this.metadataMaxAge = value;
            return this;
        }

        public ProducerSettings build() {
            return new ProducerSettings(client, batchSize, maxBatchBytes, linger, bufferMemory, maxBlock,
                    retryBackoff, retryBackoffMax, maxAttempts, deliveryTimeout, idempotent, producerName, acks,
                    metadataMaxAge);
        }
    }
}
