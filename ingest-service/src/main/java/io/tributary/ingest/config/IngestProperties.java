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
 * @param limits                    node-wide caps on resources clients can make the node hold
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
        @DefaultValue Groups groups,
        @DefaultValue Limits limits) {

    /**
     * Cluster membership.
     *
     * @param peers       the nodes the cluster was founded with, {@code id=host:httpPort:raftPort[:kafkaPort[:replicaPort]],...}, the same
     *                    list on every node and never changed afterwards (it fixes where the partitions of topics
     *                    created before any node was added live); empty = a single node without replication
     * @param selfAddress {@code host:httpPort:raftPort[:kafkaPort[:replicaPort]]} of a node whose {@code ingest.node-id} is not
     *                    among the peers: a node added later ({@code POST /api/v1/cluster/nodes}), which starts with
     *                    no Raft group and waits to be added; ignored for a founding node. The Kafka port, like a
     *                    peer's, must be its {@code ingest.kafka.port}
     */
    public record Cluster(@DefaultValue("") String peers, @DefaultValue("") String selfAddress) {
    }

    /**
     * Produce-path settings; the limits are documented in {@code docs/api.md} ("Limits").
     *
     * @param idempotencyKeyWindow how long an {@code Idempotency-Key} is remembered (expired keys are dropped on use);
     *                              on a cluster also by each partition, the window of the node that took the request
     * @param idempotencyKeyMaxEntries at most this many keys are remembered, node-wide (the oldest go first); on a
     *                              cluster each partition replica also remembers at most this many
     * @param idempotencyKeyMaxLength longest {@code Idempotency-Key} accepted, in characters (longer: 400)
     * @param maxRequestBytes       largest produce body accepted, counted while reading (413 {@code record-too-large})
     * @param maxRecordsPerRequest  most records in one produce request, counted while parsing (413 {@code record-too-large})
     * @param maxValueDepth         deepest nesting of a record value (arrays/objects), on every produce path; deeper:
     *                              400 {@code invalid-record}. Well below the JSON readers' own limit (ingest-client: 1000)
     * @param maxTimestampAhead     a record timestamp later than the broker's clock plus this is refused (400
     *                              {@code invalid-record}); Kafka's {@code message.timestamp.after.max.ms}
     * @param maxTimestampBehind    a record timestamp earlier than the broker's clock minus this is refused; 0 = no
     *                              limit (Kafka's default for {@code message.timestamp.before.max.ms})
     */
    public record Produce(
            @DefaultValue("10m") Duration idempotencyKeyWindow,
            @DefaultValue("100000") int idempotencyKeyMaxEntries,
            @DefaultValue("128") int idempotencyKeyMaxLength,
            @DefaultValue("67108864") int maxRequestBytes,
            @DefaultValue("100000") int maxRecordsPerRequest,
            @DefaultValue("100") int maxValueDepth,
            @DefaultValue("1h") Duration maxTimestampAhead,
            @DefaultValue("0") Duration maxTimestampBehind) {
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
     * @param retentionCheckInterval  how often retention limits are applied (on a cluster also how often a
     *                                replica whose retention waits for a Raft snapshot takes one)
     * @param compactionInterval      how often compacted topics are cleaned
     */
    public record Maintenance(
            @DefaultValue("100ms") Duration flushCheckInterval,
            @DefaultValue("5s") Duration recoveryCheckpointInterval,
            @DefaultValue("30s") Duration retentionCheckInterval,
            @DefaultValue("15s") Duration compactionInterval) {
    }

    /**
     * Node-wide caps (issue 10), each with a metric; documented in {@code docs/api.md} ("Limits").
     *
     * @param maxPartitions          partitions on the node, all topics (internal ones included, though their own
     *                               creation is never refused); a create beyond it: 422 {@code limit-reached}.
     *                               Each partition holds open files. Gauge {@code ingest.partitions}
     * @param maxPartitionsPerTopic  partitions of one topic at create; more: 400 {@code invalid-topic}
     * @param maxProducerNames       named producer identities remembered; a new name beyond it: 422
     *                               {@code limit-reached}. Gauge {@code ingest.producer.names}
     * @param maxGroups              consumer groups on the node; a join creating one more: 503
     *                               {@code capacity-exceeded} (retriable: groups go when their members leave).
     *                               Gauge {@code ingest.groups}
     * @param maxMembersPerGroup     members of one consumer group (Kafka's {@code group.max.size}); a join beyond it:
     *                               503 {@code capacity-exceeded} (retriable: members leave or time out)
     * @param groupOffsetsRetention  a group without members and without a commit for this long loses its committed
     *                               offsets and is forgotten with its metric series (Kafka's
     *                               {@code offsets.retention.minutes}, same default)
     * @param maxParkedFetches       long-poll fetches parked at once; beyond it a fetch answers at once with what is
     *                               there (possibly nothing), as if its wait had run out. Gauge
     *                               {@code ingest.fetch.parked}, counter {@code ingest.fetch.parked.refused}
     * @param producerStateRetention a partition forgets an idempotent producer whose last write there is older than
     *                               this by the partition's log time (its newest record timestamp, not the clock),
     *                               as Kafka's {@code producer.id.expiration.ms} does. Counter
     *                               {@code ingest.producer.state.expired}
     * @param maxProducersPerPartition producer ids one partition remembers; a new one beyond it makes the partition
     *                               forget the one written longest ago. Gauge {@code ingest.log.producers}, counter
     *                               {@code ingest.producer.state.evicted}
     */
    public record Limits(
            @DefaultValue("4000") int maxPartitions,
            @DefaultValue("1000") int maxPartitionsPerTopic,
            @DefaultValue("10000") int maxProducerNames,
            @DefaultValue("10000") int maxGroups,
            @DefaultValue("1000") int maxMembersPerGroup,
            @DefaultValue("7d") Duration groupOffsetsRetention,
            @DefaultValue("10000") int maxParkedFetches,
            @DefaultValue("7d") Duration producerStateRetention,
            @DefaultValue("1000") int maxProducersPerPartition) {
    }

    /**
     * @param defaultSessionTimeout  a member that neither heartbeats nor polls for this long is removed
     * @param minSessionTimeout      smallest session timeout a member may ask for
     * @param maxSessionTimeout      largest session timeout a member may ask for
     * @param offsetsTopicPartitions partitions of the internal {@code __consumer_offsets} topic
     * @param maxUnacknowledgedPolls poll answers per member, beyond the one its latest poll named, whose positions
     *                               the coordinator keeps so that a later poll may name them (a poll sent again
     *                               after lost answers names an earlier one); at least 1. Counter
     *                               {@code ingest.group.polls.reread} counts polls that name an earlier answer
     */
    public record Groups(
            @DefaultValue("30s") Duration defaultSessionTimeout,
            @DefaultValue("1s") Duration minSessionTimeout,
            @DefaultValue("5m") Duration maxSessionTimeout,
            @DefaultValue("4") int offsetsTopicPartitions,
            @DefaultValue("8") int maxUnacknowledgedPolls) {
    }
}
