package io.tributary.ingest.config;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the ingest service, under {@code ingest.*}.
 *
 * @param dataDir                   folder for segments, indexes and metadata ({@code INGEST_DATA_DIR})
 * @param nodeId                    this node's id within the cluster
 * @param cluster                   cluster membership; empty peers = a single node
 * @param defaultPartitions         partitions of a topic created without a count
 * @param defaultReplicationFactor  replication factor of a topic created without one
 * @param produce                   produce-path settings
 * @param fetch                     fetch-path settings
 * @param maintenance               background flush, retention and compaction
 * @param groups                    consumer group settings
 */
@ConfigurationProperties("ingest")
public record IngestProperties(
        @DefaultValue("./data/ingest") Path dataDir,
        @DefaultValue("1") int nodeId,
        @DefaultValue Cluster cluster,
        @DefaultValue("1") int defaultPartitions,
        @DefaultValue("1") int defaultReplicationFactor,
        @DefaultValue Produce produce,
        @DefaultValue Fetch fetch,
        @DefaultValue Maintenance maintenance,
        @DefaultValue Groups groups) {

    /**
     * @param peers every member including this one, {@code id=host:httpPort:raftPort,...}; empty = single node
     */
    public record Cluster(@DefaultValue("") String peers) {
    }

    /**
     * @param idempotencyKeyWindow how long an {@code Idempotency-Key} is remembered
     * @param idempotencyKeyMaxEntries at most this many keys are remembered (the oldest go first)
     * @param maxRequestBytes       largest produce body accepted
     */
    public record Produce(
            @DefaultValue("10m") Duration idempotencyKeyWindow,
            @DefaultValue("100000") int idempotencyKeyMaxEntries,
            @DefaultValue("67108864") int maxRequestBytes) {
    }

    /**
     * @param maxWait       longest a fetch may park waiting for data ({@code maxWaitMs} is capped at it)
     * @param defaultMaxBytes  fetch size when the request names none
     * @param maxBytes      upper bound for a fetch's {@code maxBytes}
     * @param defaultMaxRecords records per fetch when the request names no {@code maxRecords}
     * @param threads       threads that finish parked fetches when data arrives
     */
    public record Fetch(
            @DefaultValue("30s") Duration maxWait,
            @DefaultValue("1048576") int defaultMaxBytes,
            @DefaultValue("16777216") int maxBytes,
            @DefaultValue("10000") int defaultMaxRecords,
            @DefaultValue("4") int threads) {
    }

    /**
     * @param flushCheckInterval      how often partitions are checked against {@code flush.ms}
     * @param recoveryCheckpointInterval how often flushed offsets are recorded for crash recovery
     * @param retentionCheckInterval  how often retention limits are applied
     * @param compactionInterval      how often compacted topics are cleaned
     */
    public record Maintenance(
            @DefaultValue("100ms") Duration flushCheckInterval,
            @DefaultValue("5s") Duration recoveryCheckpointInterval,
            @DefaultValue("30s") Duration retentionCheckInterval,
            @DefaultValue("15s") Duration compactionInterval) {
    }

    /**
     * @param defaultSessionTimeout  a member that neither heartbeats nor polls for this long is removed
     * @param minSessionTimeout      smallest session timeout a member may ask for
     * @param maxSessionTimeout      largest session timeout a member may ask for
     * @param offsetsTopicPartitions partitions of the internal {@code __consumer_offsets} topic
     */
    public record Groups(
            @DefaultValue("30s") Duration defaultSessionTimeout,
            @DefaultValue("1s") Duration minSessionTimeout,
            @DefaultValue("5m") Duration maxSessionTimeout,
            @DefaultValue("4") int offsetsTopicPartitions) {
    }
}
