package io.tributary.ingest.replication;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Tuning of replication, under {@code ingest.replication.*}; used only when
 * {@code ingest.cluster.peers} is set.
 *
 * @param electionTimeout    a follower that hears nothing from its leader for this long (at least) starts
 *                           an election (Ratis {@code raft.server.rpc.timeout.min}; max is 1.25 × this). A
 *                           leader's loss is noticed between 1 and 2.5 × this later (docs/replication.md)
 * @param requestTimeout     how long a produce or topic creation waits for commit before answering 503
 * @param snapshotThreshold  applied entries after which a partition snapshots (flushes its log) so
 *                           Ratis may purge its own log
 * @param inSyncLag          a follower the leader heard from less recently than this is not in sync; for a partition
 *                           written the Kafka way, one that has not caught up with the leader's log end for this long
 *                           is dropped from the in-sync set (Kafka's {@code replica.lag.time.max.ms}); one that
 *                           neither fetches nor answers Raft heartbeats for the election timeout is dropped at once
 * @param snapshotOnStop     snapshot every partition on a clean stop, so a restart replays nothing; off,
 *                           a restart replays like after a crash (tests use this)
 * @param raftSegmentSize    size at which a Raft log segment is closed (only closed segments are purged;
 *                           Ratis {@code raft.server.log.segment.size.max}). Ratis keeps the segment being written
 *                           in memory whole, in every partition a node hosts, so this bounds the heap a partition
 *                           costs
 * @param raftLogCacheSize   memory one partition's Raft log keeps for its entries, the segment being written
 *                           included (Ratis {@code raft.server.log.segment.cache.size.max}, and at most one closed
 *                           segment cached); older entries are read back from disk by the rare follower that still
 *                           needs them. Ratis's own defaults (200 MB and six segments per log) grow the heap with the
 *                           number of partitions until a node spends its time in GC
 * @param purgeGap           Raft log entries a snapshot must be ahead of the log start before a purge
 *                           (Ratis {@code raft.server.log.purge.gap})
 * @param raftBindHost       the interface the Raft port listens on; empty (the default) means the host this
 *                           node has in {@code ingest.cluster.peers}, so the port is reachable by the peers and
 *                           nothing else; {@code 0.0.0.0} listens on every interface (where the peer name does not
 *                           resolve to a local address when the node starts). The Raft port carries no
 *                           authentication: only the peers may reach it (docs/security.md)
 * @param maxInFlightPerPartition entries of one partition a node sends to its Raft group before the next batches wait
 *                           and go together as one entry (group commit, see GroupCommit); 1..64, 1 batches the most,
 *                           more pipeline more
 * @param maxEntrySize       how many bytes of waiting batches group commit puts into one Raft entry (a larger single
 *                           batch still goes alone)
 * @param peerProbeTimeout   how long the cluster view ({@code GET /api/v1/cluster}) waits for the other nodes'
 *                           answers, all asked at once; a node that has not answered by then is UNREACHABLE
 * @param moveTimeout        how long the leader of a partition whose replicas are being moved waits for one
 *                           configuration change of its Raft group (the new replicas catching up included) before
 *                           it tries again (Ratis {@code raft.server.staging.timeout} too)
 * @param copyRate           bytes per second this node copies, over all partitions together, when it rebuilds
 *                           replicas from their leaders' partition logs (a new or wiped node, or one left so far
 *                           behind that the leader purged the Raft entries it needs); 0 = unlimited. Applied between
 *                           the copy's chunks (4 MiB), so a single chunk goes at full speed
 * @param allowWipedRejoin   let a node whose data folder is empty rejoin under an id the cluster knows with another
 *                           storage (a lost disk restarted under its old id). Off (the default), such a node refuses
 *                           to join any Raft group and reports itself not ready ({@link StorageGuard}): it may have
 *                           counted in a majority for entries it no longer has, so its votes could let a lagging
 *                           replica win an election and lose acknowledged writes. Replace it under a new id instead;
 *                           turn this on only when every other replica of its partitions is known to be complete
 * @param leaderRebalanceInterval how often this node checks the partitions it is the preferred leader of (the first of
 *                           their replicas) and, when it leads fewer of them than it should by more than
 *                           {@code leaderImbalancePercent}, takes back the lead of those where it is in sync (Kafka's
 *                           {@code auto.leader.rebalance.enable}); 0 turns it off. A node back from a restart leads
 *                           nothing until then
 * @param leaderImbalancePercent how many of the partitions that prefer this node may be led by others (in percent of
 *                           them) before it takes their lead back
 * @param directWrites       a partition with one replica is written by that node straight to its partition log, as
 *                           on a single node, instead of one Raft entry per batch (docs/replication.md, "Partitions
 *                           with one replica"); it switches back to Raft entries before its replicas change. Every
 *                           node must run a version that knows the switch before it is turned on (true by default)
 * @param fetchWrites        partitions of more than one replica are written the Kafka way: the leader appends produced
 *                           batches to its partition log and the followers fetch them over the replication listener
 *                           (docs/replication.md, "The Kafka-shape write path"), instead of one Raft entry per batch
 *                           (true by default; false keeps a Raft entry per batch). Every node must run a version that
 *                           knows it before it is turned on: in a rolling upgrade from one that does not, set it to
 *                           false until every node runs this one
 * @param fetchMaxWait       how long a follower's fetch that finds nothing new waits at the leader for an append
 * @param minInsyncReplicas  while a partition is written the Kafka way, the fewest in-sync replicas (the leader
 *                           included) a produce needs (Kafka's {@code min.insync.replicas}): with fewer, it is refused
 *                           with a retriable 503 {@code not-enough-replicas} before anything is written, or answered so
 *                           after the write if the set shrank meanwhile. Capped at a partition's replication factor
 *                           (2 by default: an acknowledged record is on at least two nodes)
 * @param ratis              raw Apache Ratis server properties ({@code raft.server.…}, {@code raft.grpc.…}), set after
 *                           the ones above and so overriding them; empty by default. For tuning experiments and for
 *                           operators who know Ratis: a wrong value here can break replication
 */
@ConfigurationProperties("ingest.replication")
public record ReplicationProperties(
        @DefaultValue("1s") Duration electionTimeout,
        @DefaultValue("10s") Duration requestTimeout,
        @DefaultValue("10000") long snapshotThreshold,
        @DefaultValue("5s") Duration inSyncLag,
        @DefaultValue("true") boolean snapshotOnStop,
        @DefaultValue("4MB") org.springframework.util.unit.DataSize raftSegmentSize,
        @DefaultValue("8MB") org.springframework.util.unit.DataSize raftLogCacheSize,
        @DefaultValue("1024") int purgeGap,
        @DefaultValue("") String raftBindHost,
        @DefaultValue("1") int maxInFlightPerPartition,
        @DefaultValue("1MB") org.springframework.util.unit.DataSize maxEntrySize,
        @DefaultValue("500ms") Duration peerProbeTimeout,
        @DefaultValue("5m") Duration moveTimeout,
        @DefaultValue("64MB") org.springframework.util.unit.DataSize copyRate,
        @DefaultValue("false") boolean allowWipedRejoin,
        @DefaultValue("5m") Duration leaderRebalanceInterval,
        @DefaultValue("10") int leaderImbalancePercent,
        @DefaultValue("true") boolean directWrites,
        @DefaultValue("true") boolean fetchWrites,
        @DefaultValue("500ms") Duration fetchMaxWait,
        @DefaultValue("2") int minInsyncReplicas,
        Map<String, String> ratis) {

    public ReplicationProperties {
        ratis = ratis == null ? Map.of() : Map.copyOf(ratis);
        if (copyRate.isNegative()) {
            throw new IllegalArgumentException("ingest.replication.copy-rate must be 0 (unlimited) or more, was "
                    + copyRate);
        }
        if (leaderRebalanceInterval.isNegative() || leaderImbalancePercent < 0 || leaderImbalancePercent > 100) {
            throw new IllegalArgumentException("ingest.replication.leader-rebalance-interval must be 0 (off) or more"
                    + " and leader-imbalance-percent 0..100, were " + leaderRebalanceInterval + " and "
                    + leaderImbalancePercent);
        }
        if (minInsyncReplicas < 1) {
            throw new IllegalArgumentException("ingest.replication.min-insync-replicas must be 1 or more, was "
                    + minInsyncReplicas);
        }
        if (maxInFlightPerPartition < 1 || maxInFlightPerPartition > 64) {
            // above the Ratis client's window of outstanding requests (100) a send would block
            throw new IllegalArgumentException("ingest.replication.max-in-flight-per-partition must be 1..64, was "
                    + maxInFlightPerPartition);
        }
    }
}
